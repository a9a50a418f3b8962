package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The record-protection state of one direction of a TLS connection: everything the kernel needs to
 * continue that direction's records exactly where userspace left off.
 *
 * <p>The key and IV live off-heap, in memory this object owns, so that they can be wiped: heap arrays
 * may be copied by the garbage collector and linger. {@link #close()} zeroes them; {@link #toString()}
 * never shows them.
 *
 * <p>{@code iv} is the per-connection IV as each version defines it: TLS 1.3 and ChaCha20-Poly1305
 * use a 12-byte IV that is XORed with the sequence number (RFC 8446 §5.3, RFC 7905 §2); TLS 1.2
 * AES-GCM uses a 4-byte implicit salt, the rest of the nonce travelling in each record (RFC 5288 §3).
 */
public final class TrafficKeys implements AutoCloseable {

    private final TlsVersion version;
    private final BulkCipher cipher;
    private final long sequenceNumber;
    private final Arena arena;
    private final MemorySegment key;
    private final MemorySegment iv;
    private volatile boolean closed;

    /** Copies {@code key} and {@code iv} off-heap and zeroes the arrays passed in. */
    public TrafficKeys(TlsVersion version, BulkCipher cipher, byte[] key, byte[] iv, long sequenceNumber) {
        this(version, cipher, key, iv, sequenceNumber, Arena.ofShared());
    }

    /**
     * Like the public constructor, with the key material in {@code arena}, which {@link #close()} closes.
     * Tests pass one whose memory outlives that, to see that it was zeroed before release.
     */
    TrafficKeys(TlsVersion version, BulkCipher cipher, byte[] key, byte[] iv, long sequenceNumber, Arena arena) {
        if (key.length != cipher.keyLength()) {
            throw new IllegalArgumentException(cipher + " needs a " + cipher.keyLength() + "-byte key, not " + key.length);
        }
        int ivLength = version == TlsVersion.TLS_1_3 ? cipher.nonceLength() : cipher.tls12FixedIvLength();
        if (iv.length != ivLength) {
            throw new IllegalArgumentException(version + " " + cipher + " needs a " + ivLength + "-byte IV, not " + iv.length);
        }
        this.version = version;
        this.cipher = cipher;
        this.sequenceNumber = sequenceNumber;
        this.arena = arena;
        this.key = arena.allocate(key.length);
        this.iv = arena.allocate(iv.length);
        MemorySegment.copy(key, 0, this.key, JAVA_BYTE, 0, key.length);
        MemorySegment.copy(iv, 0, this.iv, JAVA_BYTE, 0, iv.length);
        java.util.Arrays.fill(key, (byte) 0);
        java.util.Arrays.fill(iv, (byte) 0);
    }

    /** The protocol version the keys belong to. */
    public TlsVersion version() {
        return version;
    }

    /** The record cipher. */
    public BulkCipher cipher() {
        return cipher;
    }

    /** The sequence number of the next record in this direction (RFC 8446 §5.3, RFC 5246 §6.1). */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** The key, read-only; valid until {@link #close()}. */
    public MemorySegment key() {
        return key.asReadOnly();
    }

    /** The IV (TLS 1.3, ChaCha20) or implicit salt (TLS 1.2 GCM), read-only; valid until {@link #close()}. */
    public MemorySegment iv() {
        return iv.asReadOnly();
    }

    /** Zeroes the key material and releases it. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            // Freed memory is not cleared: the next allocation that reuses it could read the key.
            key.fill((byte) 0);
            iv.fill((byte) 0);
            arena.close();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TrafficKeys[" + version + " " + cipher + ", seq=" + sequenceNumber + ", key=<redacted>]";
    }
}
