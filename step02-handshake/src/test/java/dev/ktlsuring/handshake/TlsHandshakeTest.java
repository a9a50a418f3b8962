package dev.ktlsuring.handshake;

import dev.ktlsuring.handshake.TestPki.KeyType;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsHandshakeTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final TestPki PKI = TestPki.shared();

    /** The key type a suite's server certificate needs: TLS 1.2 suites name it, TLS 1.3 suites take either. */
    static KeyType keyTypeFor(CipherSuite suite) {
        return suite.name().contains("_RSA_") ? KeyType.RSA : KeyType.EC;
    }

    static String jdkName(CipherSuite suite) {
        return suite.name();
    }

    // tag::jdk-server[]
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void handshakeWithJdkServerThenApplicationData(CipherSuite suite) throws Exception {
        try (var server = new JdkTlsServer(PKI.leaf(keyTypeFor(suite)), suite.version().toString(), jdkName(suite),
                JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT);
             var session = TlsHandshake.perform(socket, "localhost",
                     TlsOptions.defaults().withTrust(PKI.trust()), TIMEOUT)) {

            assertThat(session.version()).isEqualTo(suite.version());
            assertThat(session.cipherSuite()).isEqualTo(suite);
            assertThat(session.alpn()).contains("http/1.1");

            byte[] ping = "ping over io_uring".getBytes(StandardCharsets.US_ASCII);
            UserspaceRecords.write(session, ping, TIMEOUT);
            assertThat(UserspaceRecords.read(session, ping.length, TIMEOUT)).isEqualTo(ping);
            assertThat(server.failures()).isEmpty();
        }
    }
    // end::jdk-server[]

    // tag::openssl-server[]
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void handshakeWithOpenSslServerThenHttpGet(CipherSuite suite, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello from s_server\n");
        try (var server = OpenSslServer.start(PKI.leaf(keyTypeFor(suite)), suite, root);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var session = TlsHandshake.perform(socket, "127.0.0.1",
                     TlsOptions.defaults().withTrust(PKI.trust()), TIMEOUT)) {

            assertThat(session.version()).isEqualTo(suite.version());
            assertThat(session.cipherSuite()).isEqualTo(suite);

            UserspaceRecords.write(session, "GET /hello.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), TIMEOUT);
            String response = new String(UserspaceRecords.read(session, Integer.MAX_VALUE, TIMEOUT), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.0 200 ok").endsWith("hello from s_server\n");
        }
    }
    // end::openssl-server[]

    @Test
    void restrictingTheVersionIsHonoured() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = new JdkTlsServer(PKI.leaf(KeyType.EC), "TLSv1.3", suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT)) {
            TlsOptions only12 = TlsOptions.defaults().withTrust(PKI.trust()).onlyVersion(TlsVersion.TLS_1_2);

            assertThatThrownBy(() -> TlsHandshake.perform(socket, "localhost", only12, TIMEOUT))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageStartingWith("TLS handshake failed: the server sent a fatal alert: ")
                    .hasMessageMatching(".*(protocol_version|handshake_failure).*");
        }
    }

    @Test
    void offeringOnlyATls12SuiteNegotiatesTls12WithAServerThatPrefersTls13() throws Exception {
        // The client must not list TLS 1.3 in supported_versions when it offers no TLS 1.3 suite: the
        // JDK server would pick 1.3 and then fail for want of a common suite.
        CipherSuite suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        try (var server = new JdkTlsServer(PKI.leaf(KeyType.EC), "TLSv1.3,TLSv1.2",
                "TLS_AES_128_GCM_SHA256," + suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT);
             var session = TlsHandshake.perform(socket, "localhost",
                     TlsOptions.defaults().withTrust(PKI.trust()).onlySuites(List.of(suite)), TIMEOUT)) {
            assertThat(session.version()).isEqualTo(TlsVersion.TLS_1_2);
            assertThat(session.cipherSuite()).isEqualTo(suite);
        }
    }

    @Test
    void restrictingTheSuiteIsHonoured() throws Exception {
        try (var server = new JdkTlsServer(PKI.leaf(KeyType.EC), "TLSv1.3", "TLS_AES_256_GCM_SHA384", JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT)) {
            TlsOptions chachaOnly = TlsOptions.defaults().withTrust(PKI.trust())
                    .onlySuites(CipherSuite.select("chacha20poly1305"));

            assertThatThrownBy(() -> TlsHandshake.perform(socket, "localhost", chachaOnly, TIMEOUT))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("handshake_failure");
        }
    }

    @Test
    void plainHttpServerIsNotMistakenForTls() throws Exception {
        try (var server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT)) {
            Thread.ofPlatform().daemon().start(() -> {
                try (var s = server.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // test over
                }
            });
            assertThatThrownBy(() -> TlsHandshake.perform(socket, "127.0.0.1",
                    TlsOptions.defaults().withTrust(PKI.trust()), TIMEOUT))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessage("TLS handshake failed: not a TLS record: content type 0x48 (the server answered in plain HTTP)");
        }
    }

    @Test
    void serverClosingMidHandshakeIsAnError() throws Exception {
        try (var server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT)) {
            Thread.ofPlatform().daemon().start(() -> {
                try (var s = server.accept()) {
                    s.getInputStream().read(new byte[512]);   // take the ClientHello, then hang up
                } catch (java.io.IOException ignored) {
                    // test over
                }
            });
            assertThatThrownBy(() -> TlsHandshake.perform(socket, "127.0.0.1",
                    TlsOptions.defaults().withTrust(PKI.trust()), TIMEOUT))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessage("TLS handshake failed: the server closed the connection");
        }
    }

    /**
     * The ClientHello's signature_algorithms (and signature_algorithms_cert, if sent) lists no MD5 or SHA-1
     * scheme (RFC 8446 §4.2.3 legacy codes 0x0101..0x0203): a server must not be invited to sign with them.
     */
    @Test
    void clientHelloOffersNoMd5OrSha1SignatureScheme() throws Exception {
        var helloRecord = new CompletableFuture<byte[]>();
        try (var server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT)) {
            Thread.ofPlatform().daemon().start(() -> {
                try (var s = server.accept(); var in = s.getInputStream()) {
                    byte[] header = in.readNBytes(5);
                    byte[] body = in.readNBytes(((header[3] & 0xff) << 8) | (header[4] & 0xff));
                    helloRecord.complete(body);
                } catch (java.io.IOException e) {
                    helloRecord.completeExceptionally(e);
                }
            });
            assertThatThrownBy(() -> TlsHandshake.perform(socket, "127.0.0.1",
                    TlsOptions.defaults().withTrust(PKI.trust()), TIMEOUT))
                    .hasMessage("TLS handshake failed: the server closed the connection");
        }
        var schemes = signatureSchemes(ByteBuffer.wrap(helloRecord.get(5, TimeUnit.SECONDS)));
        assertThat(schemes).as("signature_algorithms offered").isNotEmpty();
        assertThat(schemes.stream().filter(scheme -> scheme >> 8 == 1 || scheme >> 8 == 2)
                .map(scheme -> String.format("0x%04x", scheme)))
                .as("MD5 and SHA-1 signature schemes offered").isEmpty();
    }

    /** The code points of the signature_algorithms (13) and signature_algorithms_cert (50) extensions of a ClientHello. */
    private static List<Integer> signatureSchemes(ByteBuffer hello) {
        hello.position(4 + 2 + 32);                                   // handshake header, legacy_version, random
        hello.position(hello.position() + 1 + (hello.get() & 0xff));  // legacy_session_id
        hello.position(hello.position() + 2 + (hello.getShort() & 0xffff));   // cipher_suites
        hello.position(hello.position() + 1 + (hello.get() & 0xff));  // legacy_compression_methods
        int end = hello.position() + 2 + (hello.getShort() & 0xffff);
        List<Integer> schemes = new ArrayList<>();
        while (hello.position() < end) {
            int type = hello.getShort() & 0xffff, length = hello.getShort() & 0xffff, next = hello.position() + length;
            if (type == 13 || type == 50) {
                for (int n = (hello.getShort() & 0xffff) / 2; n > 0; n--) {
                    schemes.add(hello.getShort() & 0xffff);
                }
            }
            hello.position(next);
        }
        return schemes;
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (var server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT)) {
            assertThatThrownBy(() -> TlsHandshake.perform(socket, "127.0.0.1",
                    TlsOptions.defaults().withTrust(PKI.trust()), Duration.ofMillis(300)))
                    .isInstanceOf(java.net.SocketTimeoutException.class)
                    .hasMessage("TLS handshake timed out after 300 ms (127.0.0.1:" + server.getLocalPort() + ")");
        }
    }

    @Test
    void cipherNamesSelectSuites() {
        assertThat(CipherSuite.select("aes256gcm")).containsExactly(CipherSuite.TLS_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
        assertThat(CipherSuite.select("TLS_AES_128_GCM_SHA256")).containsExactly(CipherSuite.TLS_AES_128_GCM_SHA256);
        assertThatThrownBy(() -> CipherSuite.select("rc4")).hasMessageStartingWith("unknown cipher 'rc4'");
        assertThat(List.of(TlsVersion.parse("1.2"), TlsVersion.parse("TLSv1.3")))
                .containsExactly(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
    }
}
