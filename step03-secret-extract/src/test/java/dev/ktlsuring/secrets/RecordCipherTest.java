package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.RecordHeader;
import dev.ktlsuring.handshake.TlsVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.AEADBadTagException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Checks the test-side record layer {@link RecordCipher} itself: against the records printed in
 * RFC 8448 §3 for TLS 1.3, and by the wire layout and authentication rules for TLS 1.2.
 *
 * <p>The TLS 1.2 formats have no published record vectors; the live tests against OpenSSL and the JDK
 * ({@link LiveKeyExtractionTest}) are what prove them against independent implementations.
 */
class RecordCipherTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8448 §3, "{client} derive write traffic keys for application data" and the server's.
    private static final String CLIENT_KEY = "17422dda596ed5d9acd890e3c63f5051";
    private static final String CLIENT_IV = "5b78923dee08579033e523d9";
    private static final String SERVER_KEY = "9f02283b6c9c07efc26bb9f2ac92e356";
    private static final String SERVER_IV = "cf782b88dd83549aadf1e984";

    /** RFC 8448 §3 "{client} send application_data record", sequence number 0. */
    private static final String CLIENT_RECORD = "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b"
            + "9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
    /** RFC 8448 §3 "{server} send application_data record": sequence number 1, after the NewSessionTicket (0). */
    private static final String SERVER_RECORD = "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e3"
            + "0efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";
    /** RFC 8448 §3 "{client} send alert record" (close_notify), sequence number 1. */
    private static final String CLIENT_ALERT = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";

    /** Both sides' application data in RFC 8448 §3: the 50 bytes 00 01 02 ... 31. */
    private static byte[] rfc8448Payload() {
        byte[] payload = new byte[50];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    private static TrafficKeys tls13(String key, String iv, long seq) {
        return new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, HEX.parseHex(key), HEX.parseHex(iv), seq);
    }

    @Test
    void tls13SealMatchesRfc8448ClientRecord() throws Exception {
        try (TrafficKeys keys = tls13(CLIENT_KEY, CLIENT_IV, 0)) {
            byte[] record = RecordCipher.seal(keys, 0, RecordHeader.APPLICATION_DATA, rfc8448Payload());
            assertThat(HEX.formatHex(record)).isEqualTo(CLIENT_RECORD);
        }
    }

    @Test
    void tls13SealMatchesRfc8448ClientAlertAtSequenceOne() throws Exception {
        // Sequence 1 makes the nonce differ from the IV: this checks the XOR, not just the key.
        try (TrafficKeys keys = tls13(CLIENT_KEY, CLIENT_IV, 0)) {
            byte[] record = RecordCipher.seal(keys, 1, RecordHeader.ALERT, new byte[]{1, 0});
            assertThat(HEX.formatHex(record)).isEqualTo(CLIENT_ALERT);
        }
    }

    @Test
    void tls13OpenRecoversRfc8448ServerRecord() throws Exception {
        try (TrafficKeys keys = tls13(SERVER_KEY, SERVER_IV, 0)) {
            RecordCipher.Opened opened = RecordCipher.open(keys, 1, HEX.parseHex(SERVER_RECORD));
            assertThat(opened.contentType()).isEqualTo(RecordHeader.APPLICATION_DATA);
            assertThat(opened.content()).isEqualTo(rfc8448Payload());
            assertThat(opened.isCloseNotify()).isFalse();
        }
    }

    @Test
    void tls13OpenRejectsWrongSequenceNumber() {
        try (TrafficKeys keys = tls13(SERVER_KEY, SERVER_IV, 0)) {
            assertThatThrownBy(() -> RecordCipher.open(keys, 0, HEX.parseHex(SERVER_RECORD)))
                    .isInstanceOf(AEADBadTagException.class);
            assertThatThrownBy(() -> RecordCipher.open(keys, 2, HEX.parseHex(SERVER_RECORD)))
                    .isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    void tls13OpenStripsPaddingAndReadsInnerType() throws Exception {
        // A padded TLSInnerPlaintext (RFC 8446 §5.4) is content || type || zeros. seal() adds no padding,
        // so build one by hand: the content ends in the real type (22) and two zeros, and the type byte
        // seal() appends is 0, one more zero of padding.
        try (TrafficKeys keys = tls13(CLIENT_KEY, CLIENT_IV, 0)) {
            byte[] paddedContent = {4, 0, 0, 1, 7, RecordHeader.HANDSHAKE, 0, 0};
            byte[] record = RecordCipher.seal(keys, 5, 0, paddedContent);
            RecordCipher.Opened opened = RecordCipher.open(keys, 5, record);
            assertThat(opened.contentType()).isEqualTo(RecordHeader.HANDSHAKE);
            assertThat(opened.content()).containsExactly(4, 0, 0, 1, 7);
        }
    }

    @Test
    void tls13OpenRejectsTamperedHeader() throws Exception {
        // The header is the AAD (RFC 8446 §5.2): a changed version field must fail authentication.
        try (TrafficKeys keys = tls13(SERVER_KEY, SERVER_IV, 0)) {
            byte[] record = HEX.parseHex(SERVER_RECORD);
            record[2] = 0x01;
            assertThatThrownBy(() -> RecordCipher.open(keys, 1, record)).isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    void tls12GcmRecordCarriesSequenceAsExplicitNonce() throws Exception {
        byte[] plaintext = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (TrafficKeys keys = new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.AES_256_GCM, bytes(32, 0x10),
                bytes(4, 0xA0), 0)) {
            long seq = 0x0102030405060708L;
            byte[] record = RecordCipher.seal(keys, seq, RecordHeader.APPLICATION_DATA, plaintext);

            // RFC 5288 §3: header, 8-byte explicit nonce, ciphertext of the same length, 16-byte tag.
            int fragment = 8 + plaintext.length + 16;
            assertThat(Arrays.copyOf(record, 5)).containsExactly(23, 3, 3, fragment >> 8, fragment & 0xFF);
            assertThat(record).hasSize(5 + fragment);
            assertThat(Arrays.copyOfRange(record, 5, 13)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);

            RecordCipher.Opened opened = RecordCipher.open(keys, seq, record);
            assertThat(opened.contentType()).isEqualTo(RecordHeader.APPLICATION_DATA);
            assertThat(opened.content()).isEqualTo(plaintext);

            // The sequence number is authenticated through the AAD even though the nonce is explicit.
            assertThatThrownBy(() -> RecordCipher.open(keys, seq + 1, record)).isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    void tls12GcmTypeIsAuthenticated() throws Exception {
        try (TrafficKeys keys = new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM, bytes(16, 1),
                bytes(4, 2), 1)) {
            byte[] record = RecordCipher.seal(keys, 1, RecordHeader.ALERT, new byte[]{1, 0});
            assertThat(record[0]).isEqualTo((byte) RecordHeader.ALERT);
            assertThat(RecordCipher.open(keys, 1, record).isCloseNotify()).isTrue();

            record[0] = RecordHeader.APPLICATION_DATA;
            assertThatThrownBy(() -> RecordCipher.open(keys, 1, record)).isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    void tls12ChaChaHasNoExplicitNonce() throws Exception {
        byte[] plaintext = "hello".getBytes(StandardCharsets.US_ASCII);
        try (TrafficKeys keys = new TrafficKeys(TlsVersion.TLS_1_2, BulkCipher.CHACHA20_POLY1305, bytes(32, 0x33),
                bytes(12, 0x44), 1)) {
            byte[] record = RecordCipher.seal(keys, 1, RecordHeader.APPLICATION_DATA, plaintext);
            // RFC 7905 §2: the fragment is the ciphertext and the tag, nothing else.
            assertThat(record).hasSize(5 + plaintext.length + 16);
            assertThat(record[4]).isEqualTo((byte) (plaintext.length + 16));

            assertThat(RecordCipher.open(keys, 1, record).content()).isEqualTo(plaintext);
            assertThatThrownBy(() -> RecordCipher.open(keys, 0, record)).isInstanceOf(AEADBadTagException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(BulkCipher.class)
    void roundTripInBothVersionsAndDistinctPerSequence(BulkCipher cipher) throws Exception {
        byte[] plaintext = "same plaintext".getBytes(StandardCharsets.US_ASCII);
        for (TlsVersion version : TlsVersion.values()) {
            int ivLength = version == TlsVersion.TLS_1_3 ? cipher.nonceLength() : cipher.tls12FixedIvLength();
            try (TrafficKeys keys = new TrafficKeys(version, cipher, bytes(cipher.keyLength(), 7), bytes(ivLength, 9), 0)) {
                byte[] first = RecordCipher.seal(keys, 41, RecordHeader.APPLICATION_DATA, plaintext);
                byte[] second = RecordCipher.seal(keys, 42, RecordHeader.APPLICATION_DATA, plaintext);
                // Different sequence numbers mean different nonces, hence different ciphertexts.
                assertThat(second).as("%s %s", version, cipher).isNotEqualTo(first);
                assertThat(RecordCipher.open(keys, 41, first).content()).isEqualTo(plaintext);
                assertThat(RecordCipher.open(keys, 42, second).content()).isEqualTo(plaintext);
            }
        }
    }

    @Test
    void truncatedRecordIsRejected() throws Exception {
        try (TrafficKeys keys = tls13(CLIENT_KEY, CLIENT_IV, 0)) {
            byte[] record = HEX.parseHex(CLIENT_RECORD);
            assertThatThrownBy(() -> RecordCipher.open(keys, 0, Arrays.copyOf(record, record.length - 1)))
                    .hasMessage("header says 67 bytes, record has 66");
        }
    }

    /** {@code length} bytes counting up from {@code first}: distinct, recognisable key material. */
    private static byte[] bytes(int length, int first) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
