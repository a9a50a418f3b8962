package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.secrets.TrafficKeys;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes handed to {@code setsockopt(SOL_TLS, …)}, against layouts worked out by hand from
 * {@code linux/tls.h}: header {@code u16 version, u16 cipher_type} (little-endian on x86-64 and arm64),
 * then iv, key, salt, rec_seq with no padding.
 */
class CryptoInfoTest {

    static final HexFormat HEX = HexFormat.of();

    static byte[] bytes(int count, int first) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    static String encode(TlsVersion version, BulkCipher cipher, byte[] key, byte[] iv, long seq) {
        try (Arena arena = Arena.ofConfined(); var keys = new TrafficKeys(version, cipher, key, iv, seq)) {
            CryptoInfo info = CryptoInfo.encode(keys, arena);
            return HEX.formatHex(info.struct().toArray(JAVA_BYTE));
        }
    }

    @Test
    void tls13Aes128GcmSplitsTheIvIntoSaltAndIv() {
        String struct = encode(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, bytes(16, 0x10), bytes(12, 0xa0), 0);
        assertThat(struct).isEqualTo(
                "0403" + "3300"                                   // version 0x0304, cipher 51
                        + "a4a5a6a7a8a9aaab"                      // iv: last 8 bytes of the 12-byte IV
                        + "101112131415161718191a1b1c1d1e1f"      // key
                        + "a0a1a2a3"                              // salt: first 4 bytes
                        + "0000000000000000");                    // rec_seq 0
        assertThat(struct).hasSize(2 * 40);
    }

    @Test
    void tls13Aes256GcmCarriesTheSequenceNumberBigEndian() {
        String struct = encode(TlsVersion.TLS_1_3, BulkCipher.AES_256_GCM, bytes(32, 0x20), bytes(12, 0xb0), 0x0102);
        assertThat(struct).isEqualTo(
                "0403" + "3400"
                        + "b4b5b6b7b8b9babb"
                        + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                        + "b0b1b2b3"
                        + "0000000000000102");
        assertThat(struct).hasSize(2 * 56);
    }

    @Test
    void tls13ChaChaTakesTheWholeIvAndNoSalt() {
        String struct = encode(TlsVersion.TLS_1_3, BulkCipher.CHACHA20_POLY1305, bytes(32, 0x40), bytes(12, 0xc0), 7);
        assertThat(struct).isEqualTo(
                "0403" + "3600"
                        + "c0c1c2c3c4c5c6c7c8c9cacb"
                        + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                        + "0000000000000007");
        assertThat(struct).hasSize(2 * 56);
    }

    @Test
    void tls12AesGcmStartsTheExplicitNonceAtTheNextSequenceNumber() {
        // After the handshake each side has sent its Finished as record 0 under these keys.
        String struct = encode(TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM, bytes(16, 0x50), bytes(4, 0xd0), 1);
        assertThat(struct).isEqualTo(
                "0303" + "3300"
                        + "0000000000000001"                      // iv = explicit nonce of the next record
                        + "505152535455565758595a5b5c5d5e5f"
                        + "d0d1d2d3"                              // salt = the implicit 4-byte IV
                        + "0000000000000001");
    }

    @Test
    void tls12ChaChaUsesTheTwelveByteIv() {
        String struct = encode(TlsVersion.TLS_1_2, BulkCipher.CHACHA20_POLY1305, bytes(32, 0x60), bytes(12, 0xe0), 1);
        assertThat(struct).isEqualTo(
                "0303" + "3600"
                        + "e0e1e2e3e4e5e6e7e8e9eaeb"
                        + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                        + "0000000000000001");
    }

    @Test
    void wipeZeroesTheStructAndToStringHidesTheKey() {
        try (Arena arena = Arena.ofConfined();
             var keys = new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, bytes(16, 0x70), bytes(12, 1), 0)) {
            CryptoInfo info = CryptoInfo.encode(keys, arena);
            assertThat(info.toString()).contains("redacted").doesNotContain("707172");
            info.wipe();
            assertThat(info.struct().toArray(JAVA_BYTE)).containsOnly(0);
        }
    }
}
