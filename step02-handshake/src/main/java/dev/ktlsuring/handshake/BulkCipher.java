package dev.ktlsuring.handshake;

/**
 * The AEAD record ciphers kTLS implements, with the key and IV sizes the record layer uses
 * (RFC 8446 §5.3 and RFC 5288 for AES-GCM, RFC 7905 for ChaCha20-Poly1305).
 */
public enum BulkCipher {
    /** AES-128-GCM: 16-byte key, 12-byte nonce (TLS 1.2: 4-byte salt + 8-byte explicit part). */
    AES_128_GCM(16, "aes128gcm"),
    /** AES-256-GCM: 32-byte key. */
    AES_256_GCM(32, "aes256gcm"),
    /** ChaCha20-Poly1305: 32-byte key, 12-byte IV in both versions, no explicit nonce on the wire. */
    CHACHA20_POLY1305(32, "chacha20poly1305");

    private final int keyLength;
    private final String shortName;

    BulkCipher(int keyLength, String shortName) {
        this.keyLength = keyLength;
        this.shortName = shortName;
    }

    /** Key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** The full per-record nonce length: 12 bytes for all three. */
    public int nonceLength() {
        return 12;
    }

    /**
     * Length of the IV material the TLS 1.2 key block holds for this cipher (RFC 5246 §6.3): the 4-byte
     * implicit salt for GCM (RFC 5288 §3), the whole 12-byte IV for ChaCha20-Poly1305 (RFC 7905 §2).
     */
    public int tls12FixedIvLength() {
        return this == CHACHA20_POLY1305 ? 12 : 4;
    }

    /** A short name for command lines: {@code aes128gcm}, {@code aes256gcm}, {@code chacha20poly1305}. */
    public String shortName() {
        return shortName;
    }
}
