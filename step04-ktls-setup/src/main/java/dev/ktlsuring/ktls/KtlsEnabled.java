package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;

/**
 * The kernel took over both directions: from now on the socket carries plaintext for this process
 * and TLS records on the wire.
 *
 * @param version the record protocol version the kernel speaks
 * @param cipher  the AEAD the kernel runs
 */
public record KtlsEnabled(TlsVersion version, BulkCipher cipher) implements KtlsOutcome {

    @Override
    public String describe() {
        return "kTLS TX+RX (" + version + " " + cipher + ")";
    }
}
