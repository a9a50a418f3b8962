package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Checks how {@link TrafficKeys} holds key material: off-heap, read-only to callers, wiped and
 * unreachable after {@link TrafficKeys#close()}, never printed, and only in the sizes each record
 * format defines.
 */
class TrafficKeysTest {

    private static final byte[] KEY = HexFormat.of().parseHex("c0ffee00112233445566778899aabbcc");
    private static final byte[] IV = HexFormat.of().parseHex("feedfacecafebabedeadbeef");

    private static TrafficKeys tls13Aes128(long seq) {
        return new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, KEY.clone(), IV.clone(), seq);
    }

    @Test
    void holdsCopiesAndWipesTheArraysPassedIn() {
        byte[] key = KEY.clone();
        byte[] iv = IV.clone();
        try (TrafficKeys keys = new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, key, iv, 7)) {
            assertThat(keys.key().toArray(JAVA_BYTE)).isEqualTo(KEY);
            assertThat(keys.iv().toArray(JAVA_BYTE)).isEqualTo(IV);
            assertThat(keys.sequenceNumber()).isEqualTo(7);
            // The heap arrays may be copied around by the GC; the constructor must not leave them holding keys.
            assertThat(key).containsOnly(0);
            assertThat(iv).containsOnly(0);
        }
    }

    @Test
    void keyAndIvAreOffHeapAndReadOnly() {
        try (TrafficKeys keys = tls13Aes128(0)) {
            MemorySegment key = keys.key();
            assertThat(key.isNative()).isTrue();
            assertThat(key.isReadOnly()).isTrue();
            assertThat(keys.iv().isReadOnly()).isTrue();
            assertThatThrownBy(() -> key.set(JAVA_BYTE, 0, (byte) 1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(keys.key().get(JAVA_BYTE, 0)).isEqualTo(KEY[0]);
        }
    }

    @Test
    void closeMakesKeyMaterialUnreachable() {
        TrafficKeys keys = tls13Aes128(0);
        MemorySegment keyBefore = keys.key();
        MemorySegment ivBefore = keys.iv();
        assertThat(keys.isClosed()).isFalse();

        keys.close();

        assertThat(keys.isClosed()).isTrue();
        // Segments handed out earlier die with the arena: nothing can read the (zeroed, freed) memory.
        assertThatThrownBy(() -> keyBefore.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ivBefore.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keys.key().toArray(JAVA_BYTE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keys.iv().toArray(JAVA_BYTE)).isInstanceOf(IllegalStateException.class);
        // The metadata stays readable, and closing twice is harmless (SessionKeys and ExtractedSession both close).
        assertThat(keys.sequenceNumber()).isZero();
        keys.close();
        assertThat(keys.isClosed()).isTrue();
    }

    /** Released native memory is not cleared; the next allocation to reuse it must not find a key there. */
    @Test
    void closeZeroesTheKeyMaterialBeforeReleasingIt() {
        try (Arena memory = Arena.ofConfined()) {
            var arena = new RetainingArena(memory);
            var keys = new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, KEY.clone(), IV.clone(), 0, arena);
            MemorySegment key = keys.key();
            MemorySegment iv = keys.iv();
            assertThat(key.toArray(JAVA_BYTE)).isEqualTo(KEY);

            keys.close();

            assertThat(arena.closed()).as("the key's arena was released").isTrue();
            assertThat(keys.isClosed()).isTrue();
            assertThat(key.toArray(JAVA_BYTE)).as("key bytes left in the released memory").containsOnly(0);
            assertThat(iv.toArray(JAVA_BYTE)).as("IV bytes left in the released memory").containsOnly(0);
        }
    }

    @Test
    void sessionKeysCloseBothDirections() {
        SessionKeys session = new SessionKeys(tls13Aes128(0), tls13Aes128(0));
        session.close();
        assertThat(session.transmit().isClosed()).isTrue();
        assertThat(session.receive().isClosed()).isTrue();
    }

    @Test
    void toStringNeverShowsKeyMaterial() {
        try (TrafficKeys keys = tls13Aes128(5)) {
            String text = keys.toString();
            assertThat(text).contains("redacted").contains("TLSv1.3").contains("AES_128_GCM").contains("seq=5");
            for (byte[] secret : new byte[][]{KEY, IV}) {
                String hex = HexFormat.of().formatHex(secret);
                // Any 4-byte window of the key or IV, in any common spelling, would be a leak.
                for (int i = 0; i + 8 <= hex.length(); i += 2) {
                    assertThat(text.toLowerCase()).doesNotContain(hex.substring(i, i + 8));
                }
                assertThat(text).doesNotContain(Arrays.toString(secret).substring(1, 12))
                        .doesNotContain(Base64.getEncoder().encodeToString(secret).substring(0, 8));
            }
        }
    }

    @Test
    void wrongKeyLengthIsRejected() {
        assertThatThrownBy(() -> new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_256_GCM, new byte[16], new byte[12], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AES_256_GCM needs a 32-byte key, not 16");
        assertThatThrownBy(() -> new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM, new byte[32], new byte[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AES_128_GCM needs a 16-byte key, not 32");
    }

    @Test
    void ivLengthFollowsTheRecordFormat() {
        // TLS 1.2 AES-GCM keeps only the 4-byte salt (RFC 5288 §3); the other 8 bytes travel in each record.
        assertThatThrownBy(() -> new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM, new byte[16], new byte[12], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLSv1.2 AES_128_GCM needs a 4-byte IV, not 12");
        // TLS 1.3 uses the whole 12-byte IV (RFC 8446 §5.3).
        assertThatThrownBy(() -> new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, new byte[16], new byte[4], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLSv1.3 AES_128_GCM needs a 12-byte IV, not 4");
        // TLS 1.2 ChaCha20-Poly1305 has a 12-byte IV too (RFC 7905 §2).
        try (TrafficKeys chacha = new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.CHACHA20_POLY1305, new byte[32],
                new byte[12], 1)) {
            assertThat(chacha.iv().byteSize()).isEqualTo(12);
            assertThat(chacha.key().byteSize()).isEqualTo(32);
        }
    }
}
