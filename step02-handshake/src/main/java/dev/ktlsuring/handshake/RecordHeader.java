package dev.ktlsuring.handshake;

import javax.net.ssl.SSLProtocolException;

/**
 * The 5-byte header in front of every TLS record (RFC 8446 §5.1, RFC 5246 §6.2.1): content type,
 * legacy record version, and the length of the fragment that follows.
 *
 * <p>Reading the header first and then exactly {@code length} more bytes is how this client frames
 * the stream into whole records, so that it never reads past the last handshake record: whatever is
 * still unread when the kernel takes over must be left in the socket for the kernel.
 */
public record RecordHeader(int contentType, int version, int length) {

    /** Header size in bytes. */
    public static final int SIZE = 5;
    /** The largest fragment a peer may send: 2^14 plus the 2048 bytes of expansion TLS 1.2 allows (RFC 5246 §6.2.3). */
    public static final int MAX_FRAGMENT = (1 << 14) + 2048;

    public static final int CHANGE_CIPHER_SPEC = 20, ALERT = 21, HANDSHAKE = 22, APPLICATION_DATA = 23;

    /**
     * Parses and checks a header.
     *
     * @throws SSLProtocolException if the bytes cannot begin a TLS record
     */
    public static RecordHeader parse(byte[] bytes, int offset) throws SSLProtocolException {
        int type = bytes[offset] & 0xFF;
        int version = ((bytes[offset + 1] & 0xFF) << 8) | (bytes[offset + 2] & 0xFF);
        int length = ((bytes[offset + 3] & 0xFF) << 8) | (bytes[offset + 4] & 0xFF);
        if (type < CHANGE_CIPHER_SPEC || type > APPLICATION_DATA) {
            throw new SSLProtocolException(String.format("not a TLS record: content type 0x%02X%s", type,
                    type == 'H' ? " (the server answered in plain HTTP)" : ""));
        }
        if ((version >> 8) != 3) {
            throw new SSLProtocolException(String.format("not a TLS record: version 0x%04X", version));
        }
        if (length > MAX_FRAGMENT) {
            throw new SSLProtocolException("record_overflow: record of " + length + " bytes exceeds " + MAX_FRAGMENT);
        }
        return new RecordHeader(type, version, length);
    }
}
