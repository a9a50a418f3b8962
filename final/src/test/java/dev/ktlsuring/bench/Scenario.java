package dev.ktlsuring.bench;

import java.util.List;

/** What one measured run does. */
enum Scenario {
    /** One download of the large file on a fresh connection, body discarded as it arrives. */
    LARGE("large"),
    /** N requests for the 1 KiB file over one kept-alive connection (opened by one untimed request first). */
    KEEPALIVE("keepalive"),
    /** N requests for the 1 KiB file, each on a new connection with a full handshake ({@code Connection: close}). */
    NEWCONN("newconn"),
    /**
     * N requests for the 1 KiB file from C callers at once, over at most C kept-alive connections: one
     * run per concurrency level C.
     */
    CONCURRENT("concurrent"),
    /** {@link #PARALLEL_DOWNLOADS} downloads of the large file at once, bodies discarded as they arrive. */
    PARALLEL("parallel"),
    /**
     * No HTTP, no TLS, no nginx: one ring in the harness's own JVM doing 1 KiB exchanges over 64 loopback
     * connections, plain against registered files and multishot receive ({@link RingBench}). Not in the
     * default set: its 200,000 exchanges per variant and round take a few minutes.
     */
    RING("ring");

    /** How many downloads {@link #PARALLEL} runs at once. */
    static final int PARALLEL_DOWNLOADS = 4;

    /** What a run without {@code --scenarios} runs: every scenario but {@link #RING}. */
    static final List<Scenario> DEFAULT = List.of(LARGE, KEEPALIVE, NEWCONN, CONCURRENT, PARALLEL);

    /** The scenarios of one connection at a time, in the results' first tables. */
    static final List<Scenario> SINGLE = List.of(LARGE, KEEPALIVE, NEWCONN);

    final String word;

    Scenario(String word) {
        this.word = word;
    }

    /** Whether the figures are bytes (MB/s, CPU per GB) rather than requests. */
    boolean download() {
        return this == LARGE || this == PARALLEL;
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
