package dev.ktlsuring.bench;

/** What one measured run does. */
enum Scenario {
    /** One download of the large file on a fresh connection, body discarded as it arrives. */
    LARGE("large"),
    /** N requests for the 1 KiB file over one kept-alive connection (opened by one untimed request first). */
    KEEPALIVE("keepalive"),
    /** N requests for the 1 KiB file, each on a new connection with a full handshake ({@code Connection: close}). */
    NEWCONN("newconn");

    final String word;

    Scenario(String word) {
        this.word = word;
    }

    static Scenario of(String word) {
        for (Scenario s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario: " + word);
    }
}
