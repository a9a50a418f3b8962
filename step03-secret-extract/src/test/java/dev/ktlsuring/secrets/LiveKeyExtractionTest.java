package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.OpenSslServer;
import dev.ktlsuring.handshake.RecordHeader;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TestPki.KeyType;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the extracted keys byte-exact against real servers: after {@link KeyExtraction#handshake},
 * the connection continues with {@link RecordCipher} alone, never BouncyCastle's record layer.
 *
 * <p>A request sealed with the transmit key, IV and sequence number is only answered if the server
 * authenticates it; the answer only opens with the receive key, IV and sequence number. Any
 * off-by-one in a sequence number, or a key block cut at the wrong place, fails AEAD authentication
 * on one side or the other. That is what the kernel will be given in step 4.
 */
class LiveKeyExtractionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final TestPki PKI = TestPki.shared();
    private static final String FILE_CONTENT = "served by openssl s_server, read with extracted keys\n";
    /** NewSessionTicket's handshake message type (RFC 8446 §4.6.1). */
    private static final int NEW_SESSION_TICKET = 4;

    /** The certificate a suite needs: TLS 1.2 suites name the signature algorithm, TLS 1.3 suites take either. */
    private static KeyType keyTypeFor(CipherSuite suite) {
        return suite.name().contains("_RSA_") ? KeyType.RSA : KeyType.EC;
    }

    /** Offers exactly {@code suite} in its own version, trusting only the test CA. */
    private static TlsOptions only(CipherSuite suite) {
        return TlsOptions.defaults().withTrust(PKI.trust()).onlyVersion(suite.version()).onlySuites(List.of(suite));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void extractedKeysCarryAnHttpExchangeWithOpenSsl(CipherSuite suite, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), FILE_CONTENT);
        try (var server = OpenSslServer.start(PKI.leaf(keyTypeFor(suite)), suite, root);
             var loop = EventLoop.start("test", 8);
             // s_server listens on 127.0.0.1 only; the certificate names "localhost" too.
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var extracted = KeyExtraction.handshake(socket, "localhost", only(suite), TIMEOUT)) {

            SessionKeys keys = extracted.keys();
            assertThat(extracted.session().cipherSuite()).isEqualTo(suite);
            assertHandOffState(suite, keys);

            var channel = new RecordChannel(socket, keys, TIMEOUT);
            channel.write(RecordHeader.APPLICATION_DATA,
                    "GET /hello.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            // Read every record the server sends until it closes, each at the next sequence number.
            var response = new ByteArrayOutputStream();
            List<Integer> handshakeMessages = new ArrayList<>();
            RecordCipher.Opened record;
            while ((record = channel.read()) != null && !record.isCloseNotify()) {
                switch (record.contentType()) {
                    case RecordHeader.APPLICATION_DATA -> response.writeBytes(record.content());
                    // TLS 1.3 post-handshake messages share the application keys (RFC 8446 §4.6).
                    case RecordHeader.HANDSHAKE -> handshakeMessages.add(record.content()[0] & 0xFF);
                    // e.g. bad_record_mac (20): s_server could not authenticate our request.
                    case RecordHeader.ALERT -> throw new AssertionError("s_server sent alert "
                            + (record.content()[1] & 0xFF) + "; its log:\n" + server.log());
                    default -> throw new AssertionError("unexpected " + record + "; s_server log:\n" + server.log());
                }
            }
            assertThat(record).as("the server ends with close_notify, not a bare EOF").isNotNull();
            assertThat(response.toString(StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.0 200 ok\r\n")
                    .endsWith("\r\n\r\n" + FILE_CONTENT);

            if (suite.version() == TlsVersion.TLS_1_3) {
                // OpenSSL sends session tickets after the handshake by default: each one consumed a
                // read sequence number before the response, which still opened.
                assertThat(handshakeMessages).isNotEmpty().containsOnly(NEW_SESSION_TICKET);
            } else {
                // TLS 1.2 tickets come inside the handshake, before the server's Finished.
                assertThat(handshakeMessages).isEmpty();
            }
            assertThat(channel.writeSequence()).isEqualTo(keys.transmit().sequenceNumber() + 1);
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void extractedKeysCarryAnEchoExchangeWithTheJdk(CipherSuite suite) throws Exception {
        try (var server = new JdkTlsServer(PKI.leaf(keyTypeFor(suite)), suite.version().toString(), suite.name(),
                JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT);
             var extracted = KeyExtraction.handshake(socket, "localhost", only(suite), TIMEOUT)) {

            SessionKeys keys = extracted.keys();
            assertThat(extracted.session().cipherSuite()).isEqualTo(suite);
            assertHandOffState(suite, keys);

            // Two round trips: the second proves the sequence numbers advance by one per record.
            var channel = new RecordChannel(socket, keys, TIMEOUT);
            for (String message : List.of("first record", "second record")) {
                byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
                channel.write(RecordHeader.APPLICATION_DATA, bytes);
                assertThat(new String(channel.readApplicationData(bytes.length), StandardCharsets.US_ASCII))
                        .isEqualTo(message);
            }

            // A close_notify sealed here must be understood too: the server then closes cleanly.
            channel.writeCloseNotify();
            assertThat(channel.readApplicationData(Integer.MAX_VALUE)).isEmpty();
            assertThat(channel.writeSequence()).isEqualTo(keys.transmit().sequenceNumber() + 3);
            assertThat(server.failures()).isEmpty();
        }
    }

    /**
     * The state handed to the kernel: the negotiated version and cipher, keys of the cipher's size,
     * different per direction, and the sequence numbers observed at hand-off (see the bctls notes):
     * TLS 1.3 starts both application-key directions at 0; in TLS 1.2 each side's Finished already
     * used sequence number 0 under the final keys.
     */
    private static void assertHandOffState(CipherSuite suite, SessionKeys keys) {
        long expectedSeq = suite.version() == TlsVersion.TLS_1_3 ? 0 : 1;
        int ivLength = suite.version() == TlsVersion.TLS_1_3
                ? suite.cipher().nonceLength()
                : suite.cipher().tls12FixedIvLength();
        for (TrafficKeys direction : List.of(keys.transmit(), keys.receive())) {
            assertThat(direction.version()).isEqualTo(suite.version());
            assertThat(direction.cipher()).isEqualTo(suite.cipher());
            assertThat(direction.sequenceNumber()).isEqualTo(expectedSeq);
            assertThat(direction.key().byteSize()).isEqualTo(suite.cipher().keyLength());
            assertThat(direction.iv().byteSize()).isEqualTo(ivLength);
        }
        assertThat(keys.transmit().key().toArray(JAVA_BYTE)).isNotEqualTo(keys.receive().key().toArray(JAVA_BYTE));
        assertThat(keys.transmit().iv().toArray(JAVA_BYTE)).isNotEqualTo(keys.receive().iv().toArray(JAVA_BYTE));
    }
}
