package dev.ktlsuring.io;

import java.io.IOException;

/** kTLS was required but the kernel declined; the message is the kernel's reason in words a user can act on. */
public class KtlsUnavailableException extends IOException {
    public KtlsUnavailableException(String reason) {
        super("kTLS unavailable: " + reason);
    }
}
