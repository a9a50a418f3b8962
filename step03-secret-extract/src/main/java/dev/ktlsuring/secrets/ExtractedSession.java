package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.TlsSession;

/**
 * A completed handshake together with the keys that continue it.
 *
 * @param session the handshake's outcome (negotiated version, suite, ALPN, BouncyCastle state)
 * @param keys    both directions' record-protection state at the hand-off point
 */
public record ExtractedSession(TlsSession session, SessionKeys keys) implements AutoCloseable {

    /** Zeroes the keys and releases the session's buffers. */
    @Override
    public void close() {
        keys.close();
        session.close();
    }
}
