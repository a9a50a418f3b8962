package dev.ktlsuring.io;

/** The TLS record content types (RFC 8446 §5.1, RFC 5246 §6.2.1) that kTLS reports per record. */
public enum RecordType {
    CHANGE_CIPHER_SPEC(20), ALERT(21), HANDSHAKE(22), APPLICATION_DATA(23);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    /** The content type byte. */
    public int code() {
        return code;
    }

    /** The type for {@code code}, or {@code null} if TLS defines none. */
    public static RecordType of(int code) {
        for (RecordType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
