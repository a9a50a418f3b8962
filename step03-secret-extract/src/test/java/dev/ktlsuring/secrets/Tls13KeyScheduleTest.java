package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks {@link KeyExtraction#tls13TrafficKeys} against the known answers of RFC 8448 §3 ("Simple
 * 1-RTT Handshake"): application traffic secret → write key and IV (RFC 8446 §7.3).
 */
class Tls13KeyScheduleTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8448 §3: "{client} derive write traffic keys for application data".
    private static final String CLIENT_SECRET = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
    private static final String CLIENT_KEY = "17422dda596ed5d9acd890e3c63f5051";
    private static final String CLIENT_IV = "5b78923dee08579033e523d9";

    // RFC 8448 §3: "{server} derive write traffic keys for application data".
    private static final String SERVER_SECRET = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
    private static final String SERVER_KEY = "9f02283b6c9c07efc26bb9f2ac92e356";
    private static final String SERVER_IV = "cf782b88dd83549aadf1e984";

    private final SequenceTrackingCrypto crypto = new SequenceTrackingCrypto();

    private TlsSecret secret(String hex) {
        return crypto.createSecret(HEX.parseHex(hex));
    }

    private static String hex(java.lang.foreign.MemorySegment segment) {
        return HEX.formatHex(segment.toArray(JAVA_BYTE));
    }

    @Test
    void clientApplicationKeysMatchRfc8448() throws Exception {
        try (TrafficKeys keys = KeyExtraction.tls13TrafficKeys(secret(CLIENT_SECRET), CryptoHashAlgorithm.sha256,
                BulkCipher.AES_128_GCM, 0)) {
            assertThat(hex(keys.key())).isEqualTo(CLIENT_KEY);
            assertThat(hex(keys.iv())).isEqualTo(CLIENT_IV);
            assertThat(keys.version()).isEqualTo(TlsVersion.TLS_1_3);
            assertThat(keys.cipher()).isEqualTo(BulkCipher.AES_128_GCM);
            assertThat(keys.sequenceNumber()).isZero();
        }
    }

    @Test
    void serverApplicationKeysMatchRfc8448() throws Exception {
        try (TrafficKeys keys = KeyExtraction.tls13TrafficKeys(secret(SERVER_SECRET), CryptoHashAlgorithm.sha256,
                BulkCipher.AES_128_GCM, 3)) {
            assertThat(hex(keys.key())).isEqualTo(SERVER_KEY);
            assertThat(hex(keys.iv())).isEqualTo(SERVER_IV);
            assertThat(keys.sequenceNumber()).isEqualTo(3);
        }
    }

    @Test
    void trafficSecretSurvivesDerivation() throws Exception {
        // TlsSecret.extract() destroys the secret it is called on; BouncyCastle still needs the traffic
        // secret for KeyUpdate (RFC 8446 §7.2), so deriving must leave it alive and unchanged.
        TlsSecret trafficSecret = secret(CLIENT_SECRET);
        try (TrafficKeys first = KeyExtraction.tls13TrafficKeys(trafficSecret, CryptoHashAlgorithm.sha256,
                BulkCipher.AES_128_GCM, 0);
             TrafficKeys second = KeyExtraction.tls13TrafficKeys(trafficSecret, CryptoHashAlgorithm.sha256,
                     BulkCipher.AES_128_GCM, 0)) {
            assertThat(trafficSecret.isAlive()).isTrue();
            assertThat(hex(second.key())).isEqualTo(hex(first.key())).isEqualTo(CLIENT_KEY);
            assertThat(hex(second.iv())).isEqualTo(hex(first.iv())).isEqualTo(CLIENT_IV);
        }
        assertThat(trafficSecret.isAlive()).isTrue();
    }

    @Test
    void keyLengthIsPartOfTheLabel() throws Exception {
        // HkdfLabel encodes the output length (RFC 8446 §7.1), so a 32-byte key is not the 16-byte key
        // extended: AES-256 and ChaCha20 keys must be derived with their own length, not truncated.
        try (TrafficKeys aes128 = KeyExtraction.tls13TrafficKeys(secret(CLIENT_SECRET), CryptoHashAlgorithm.sha256,
                BulkCipher.AES_128_GCM, 0);
             TrafficKeys chacha = KeyExtraction.tls13TrafficKeys(secret(CLIENT_SECRET), CryptoHashAlgorithm.sha256,
                     BulkCipher.CHACHA20_POLY1305, 0)) {
            assertThat(chacha.key().byteSize()).isEqualTo(32);
            assertThat(hex(chacha.key())).doesNotStartWith(hex(aes128.key()));
            // The IV label asks for 12 bytes in both cases, so the IVs agree.
            assertThat(hex(chacha.iv())).isEqualTo(hex(aes128.iv()));
        }
    }
}
