package dev.ktlsuring.handshake;

import javax.net.ssl.SSLHandshakeException;

/** The server's certificate chain failed authentication; {@link #reason()} says which check failed. */
public final class CertificateRejectedException extends SSLHandshakeException {

    /** Which check failed. */
    public enum Reason {
        UNTRUSTED_ISSUER, SELF_SIGNED, EXPIRED, NOT_YET_VALID, HOSTNAME_MISMATCH, WEAK_KEY, WEAK_SIGNATURE, INVALID
    }

    private final Reason reason;

    public CertificateRejectedException(Reason reason, String message, Throwable cause) {
        super("server certificate rejected: " + message);
        this.reason = reason;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** Which check failed. */
    public Reason reason() {
        return reason;
    }
}
