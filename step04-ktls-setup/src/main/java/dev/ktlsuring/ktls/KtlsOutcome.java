package dev.ktlsuring.ktls;

/**
 * What became of the attempt to hand the record layer to the kernel: either the kernel now encrypts
 * and decrypts every record ({@link KtlsEnabled}), or it declined and nothing changed on the socket
 * ({@link Fallback}), so the connection can go on with TLS records built in userspace.
 */
public sealed interface KtlsOutcome permits KtlsEnabled, Fallback {

    /** One line for a user: {@code kTLS TX+RX (TLSv1.3 AES_128_GCM)} or {@code userspace TLS (fallback: …)}. */
    String describe();
}
