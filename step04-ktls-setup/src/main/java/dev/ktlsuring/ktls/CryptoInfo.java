package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.ktls.abi.tls12_crypto_info_aes_gcm_128;
import dev.ktlsuring.ktls.abi.tls12_crypto_info_aes_gcm_256;
import dev.ktlsuring.ktls.abi.tls12_crypto_info_chacha20_poly1305;
import dev.ktlsuring.ktls.abi.tls_crypto_info;
import dev.ktlsuring.ktls.abi.tls_h;
import dev.ktlsuring.secrets.TrafficKeys;

import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The kernel's {@code struct tls12_crypto_info_*} for one direction: what
 * {@code setsockopt(SOL_TLS, TLS_TX | TLS_RX)} takes, filled from step 3's {@link TrafficKeys}.
 *
 * <p>Despite the "tls12" in their names, the same structs carry TLS 1.3 keys; {@code info.version}
 * tells the kernel which record format to use ({@code Documentation/networking/tls.rst}). The kernel
 * checks the option length exactly against the cipher, so each cipher has its own struct size.
 *
 * @param version the record protocol version
 * @param cipher  the AEAD
 * @param struct  the filled struct, in memory the caller's arena owns; {@link #wipe()} it after use
 */
public record CryptoInfo(TlsVersion version, BulkCipher cipher, MemorySegment struct) {

    // tag::encode[]
    /**
     * Lays out one direction's keys as the kernel expects them. The kernel builds each record's
     * 12-byte nonce from {@code salt} and {@code iv}:
     * <ul>
     * <li>TLS 1.3 AES-GCM: nonce = (salt ‖ iv) XOR seq, so salt and iv are simply the first 4 and last
     *     8 bytes of the 12-byte IV (RFC 8446 §5.3).
     * <li>TLS 1.2 AES-GCM: nonce = salt ‖ explicit, where the 8-byte explicit part travels in each
     *     record (RFC 5288 §3). The kernel sends {@code iv} as the next explicit part and advances it
     *     with the sequence number, so it must start at the next sequence number: starting at zero
     *     would repeat a nonce under the same key.
     * <li>ChaCha20-Poly1305, both versions: nonce = iv XOR seq with a 12-byte iv and no salt
     *     (RFC 7905 §2).
     * </ul>
     * {@code rec_seq} is the next record's sequence number, big-endian.
     */
    public static CryptoInfo encode(TrafficKeys keys, Arena arena) {
        Fields f = Fields.of(keys.cipher());
        MemorySegment struct = arena.allocate(f.layout());
        MemorySegment info = struct.asSlice(f.info(), tls_crypto_info.layout());
        tls_crypto_info.version(info, (short) versionCode(keys.version()));
        tls_crypto_info.cipher_type(info, (short) f.cipherType());

        MemorySegment key = keys.key(), iv = keys.iv();
        MemorySegment.copy(key, 0, struct, f.key(), key.byteSize());
        long sequence = keys.sequenceNumber();
        switch (keys.cipher()) {
            case CHACHA20_POLY1305 -> MemorySegment.copy(iv, 0, struct, f.iv(), f.ivSize());
            case AES_128_GCM, AES_256_GCM -> {
                if (keys.version() == TlsVersion.TLS_1_3) {
                    MemorySegment.copy(iv, 0, struct, f.salt(), f.saltSize());
                    MemorySegment.copy(iv, f.saltSize(), struct, f.iv(), f.ivSize());
                } else {
                    MemorySegment.copy(iv, 0, struct, f.salt(), f.saltSize());
                    struct.set(BIG_ENDIAN_LONG, f.iv(), sequence);
                }
            }
        }
        struct.set(BIG_ENDIAN_LONG, f.recSeq(), sequence);
        return new CryptoInfo(keys.version(), keys.cipher(), struct);
    }
    // end::encode[]

    /** The kernel's cipher number ({@code TLS_CIPHER_AES_GCM_128} …) for this struct. */
    public int cipherType() {
        return Fields.of(cipher).cipherType();
    }

    /** Zeroes the struct: it holds a key. */
    public void wipe() {
        struct.fill((byte) 0);
    }

    @Override
    public String toString() {
        return "CryptoInfo[" + version + " " + cipher + ", " + struct.byteSize() + " bytes, key=<redacted>]";
    }

    /** {@code TLS_1_2_VERSION} or {@code TLS_1_3_VERSION}. */
    static int versionCode(TlsVersion version) {
        return version == TlsVersion.TLS_1_3 ? tls_h.TLS_1_3_VERSION() : tls_h.TLS_1_2_VERSION();
    }

    /** Sequence numbers are big-endian on the wire and in {@code rec_seq} (RFC 5246 §6.2.3.3). */
    private static final ValueLayout.OfLong BIG_ENDIAN_LONG = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Where each field sits in the struct of one cipher, as jextract read it from {@code linux/tls.h}. */
    private record Fields(GroupLayout layout, int cipherType, long info, long iv, int ivSize, long key,
                          long salt, int saltSize, long recSeq) {
        static Fields of(BulkCipher cipher) {
            return switch (cipher) {
                case AES_128_GCM -> new Fields(tls12_crypto_info_aes_gcm_128.layout(), tls_h.TLS_CIPHER_AES_GCM_128(),
                        tls12_crypto_info_aes_gcm_128.info$offset(),
                        tls12_crypto_info_aes_gcm_128.iv$offset(), tls_h.TLS_CIPHER_AES_GCM_128_IV_SIZE(),
                        tls12_crypto_info_aes_gcm_128.key$offset(),
                        tls12_crypto_info_aes_gcm_128.salt$offset(), tls_h.TLS_CIPHER_AES_GCM_128_SALT_SIZE(),
                        tls12_crypto_info_aes_gcm_128.rec_seq$offset());
                case AES_256_GCM -> new Fields(tls12_crypto_info_aes_gcm_256.layout(), tls_h.TLS_CIPHER_AES_GCM_256(),
                        tls12_crypto_info_aes_gcm_256.info$offset(),
                        tls12_crypto_info_aes_gcm_256.iv$offset(), tls_h.TLS_CIPHER_AES_GCM_256_IV_SIZE(),
                        tls12_crypto_info_aes_gcm_256.key$offset(),
                        tls12_crypto_info_aes_gcm_256.salt$offset(), tls_h.TLS_CIPHER_AES_GCM_256_SALT_SIZE(),
                        tls12_crypto_info_aes_gcm_256.rec_seq$offset());
                case CHACHA20_POLY1305 -> new Fields(tls12_crypto_info_chacha20_poly1305.layout(),
                        tls_h.TLS_CIPHER_CHACHA20_POLY1305(),
                        tls12_crypto_info_chacha20_poly1305.info$offset(),
                        tls12_crypto_info_chacha20_poly1305.iv$offset(), tls_h.TLS_CIPHER_CHACHA20_POLY1305_IV_SIZE(),
                        tls12_crypto_info_chacha20_poly1305.key$offset(),
                        tls12_crypto_info_chacha20_poly1305.salt$offset(), tls_h.TLS_CIPHER_CHACHA20_POLY1305_SALT_SIZE(),
                        tls12_crypto_info_chacha20_poly1305.rec_seq$offset());
            };
        }
    }
}
