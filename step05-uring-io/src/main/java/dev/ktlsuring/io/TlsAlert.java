package dev.ktlsuring.io;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;

/**
 * A TLS alert (RFC 8446 §6): level and description, named the way the RFC names them.
 *
 * @param level       1 warning, 2 fatal
 * @param description the alert number
 */
public record TlsAlert(int level, int description) {

    /** close_notify (0): the sender will send no more data. */
    public static final TlsAlert CLOSE_NOTIFY = new TlsAlert(AlertLevel.warning, AlertDescription.close_notify);

    public boolean isCloseNotify() {
        return description == AlertDescription.close_notify;
    }

    /** user_canceled (90) is a warning the JDK sends before close_notify in TLS 1.3; it is not an error. */
    public boolean isUserCanceled() {
        return description == AlertDescription.user_canceled;
    }

    /**
     * Whether the connection must end with an error. TLS 1.3 treats every alert but close_notify and
     * user_canceled as fatal whatever its level (RFC 8446 §6); a TLS 1.2 client may do the same.
     */
    public boolean isFatal() {
        return !isCloseNotify() && !isUserCanceled();
    }

    /** {@code handshake_failure(40)}. */
    public String name() {
        return AlertDescription.getText((short) description);
    }
}
