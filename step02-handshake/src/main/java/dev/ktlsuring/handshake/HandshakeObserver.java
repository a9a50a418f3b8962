package dev.ktlsuring.handshake;

import org.bouncycastle.tls.TlsContext;

import java.io.IOException;

/**
 * Called by the TLS client at the moment the handshake completes, while the connection's
 * handshake-only secrets still exist (BouncyCastle clears the TLS 1.2 master secret right after).
 */
@FunctionalInterface
public interface HandshakeObserver {

    /** Does nothing. */
    HandshakeObserver NONE = context -> { };

    /** Called once, from inside the handshake, when it completes. */
    void handshakeComplete(TlsContext context) throws IOException;
}
