package dev.ktlsuring.http;

/**
 * One HTTP header field (RFC 9110 §5): a case-insensitive name and its value.
 */
public record Header(String name, String value) {

    public Header {
        if (name.isEmpty() || !name.chars().allMatch(Header::isTokenChar)) {
            throw new IllegalArgumentException("invalid header name: \"" + name + "\"");
        }
        if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException("header value of " + name + " contains CR, LF or NUL");
        }
    }

    /** Whether this header is called {@code other}, ignoring case. */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** {@code Name: value}, as on the wire. */
    @Override
    public String toString() {
        return name + ": " + value;
    }

    /** tchar of RFC 9110 §5.6.2. */
    static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
