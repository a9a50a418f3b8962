package dev.ktlsuring.http;

/**
 * One HTTP header field (RFC 9110 §5): a case-insensitive name and its value.
 */
public record Header(String name, String value) {

    public Header {
        if (!isToken(name)) {
            throw new IllegalArgumentException("invalid header name: \"" + name + "\"");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("header value of " + name + " contains CR, LF or NUL");
            }
            if (c > 0xff) {
                // A head goes out as ISO-8859-1 (RFC 9110 §5.5 obs-text is 0x80-0xFF): anything above
                // would become '?' on the wire, so it is refused here instead.
                throw new IllegalArgumentException("header value of " + name + " has a character outside ISO-8859-1: "
                        + "give it as bytes (one char per byte)");
            }
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

    /** Whether {@code s} is a token of RFC 9110 §5.6.2: one or more tchar. (A loop: this runs for every field of every message.) */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** tchar of RFC 9110 §5.6.2. */
    static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
