package dev.ktlsuring.io;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.OpenSslServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.Http1Connection;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.uring.EventLoop;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import java.lang.foreign.Arena;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTP over io_uring with the kernel doing TLS, against real servers: OpenSSL's {@code s_server}
 * (which sends TLS 1.3 NewSessionTickets right after the handshake, and ends with close_notify) for
 * every suite, and the JDK's HTTPS server for keep-alive, chunked bodies and every method.
 */
@Tag("ktls")
class KtlsHttpTest {

    /** Generous: in the kTLS suite the guest is emulated, and a cold JVM handshakes slowly there. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final TestPki PKI = TestPki.shared();

    static TlsOptions options(CipherSuite suite) {
        return TlsOptions.defaults().onlySuites(List.of(suite)).withTrust(PKI.trust());
    }

    // tag::get-through-the-kernel[]
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void getFromOpenSslThroughTheKernel(CipherSuite suite, @TempDir Path root) throws Exception {
        String content = "served by OpenSSL, decrypted by the kernel\n".repeat(500);
        Files.writeString(root.resolve("page.txt"), content);
        var credential = PKI.leaf(suite.name().contains("_RSA_") ? TestPki.KeyType.RSA : TestPki.KeyType.EC);
        try (var server = OpenSslServer.start(credential, suite, root);
             var loop = EventLoop.start("test", 8);
             var connection = KtlsConnection.open(loop, "127.0.0.1", server.port(), options(suite), TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {

            HttpResponse response = http.send(HttpRequest.get(URI.create("https://127.0.0.1:" + server.port() + "/page.txt")));

            assertThat(http.describe()).isEqualTo("kTLS TX+RX (" + suite.version() + " " + suite.cipher() + ")");
            assertThat(response.statusLine()).isEqualTo("HTTP/1.0 200 ok");
            assertThat(sha256(response.body())).isEqualTo(sha256(Files.readAllBytes(root.resolve("page.txt"))));
            assertThat(connection.channel().closeNotifyReceived()).isTrue();
        }
    }
    // end::get-through-the-kernel[]

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void getFromTheJdkServerThroughTheKernel(CipherSuite suite) throws Exception {
        var credential = PKI.leaf(suite.name().contains("_RSA_") ? TestPki.KeyType.RSA : TestPki.KeyType.EC);
        try (var server = new JdkHttpsServer(credential);
             var loop = EventLoop.start("test", 8);
             var connection = KtlsConnection.open(loop, "localhost", server.port(), options(suite), TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {

            HttpResponse response = http.send(HttpRequest.get(URI.create("https://localhost:" + server.port()
                    + "/bytes?n=300000")));

            assertThat(http.describe()).isEqualTo("kTLS TX+RX (" + suite.version() + " " + suite.cipher() + ")");
            assertThat(response.status()).isEqualTo(200);
            assertThat(sha256(response.body())).isEqualTo(sha256(JdkHttpsServer.pattern(300_000)));
        }
    }

    // tag::fatal-alert[]
    @Test
    void aFatalAlertFromThePeerIsReportedByName() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var connection = KtlsConnection.open(loop, "localhost", server.port(), options(suite), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            // A handshake message of a type no client may send after the handshake: the JDK answers
            // with a fatal alert, which must surface as an error naming it, not as data or EOF.
            connection.channel().sendRecord(RecordType.HANDSHAKE, new byte[] {(byte) 0xfe, 0, 0, 0}, TIMEOUT);

            assertThatThrownBy(() -> connection.channel().read(arena.allocate(1024), TIMEOUT))
                    .isInstanceOf(SSLException.class)
                    .hasMessageMatching("received fatal alert: [a-z_]+\\(\\d+\\) from \\S+");
        }
    }
    // end::fatal-alert[]

    // tag::key-update[]
    @Test
    void aKeyUpdateTheKernelCannotFollowFailsClearly() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = OpenSslServer.startInteractive(PKI.leaf(TestPki.KeyType.EC), suite);
             var loop = EventLoop.start("test", 8);
             var connection = KtlsConnection.open(loop, "127.0.0.1", server.port(), options(suite), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            var buffer = arena.allocate(1024);
            connection.channel().write(arena.allocateFrom("ready\n").asSlice(0, 6), TIMEOUT);
            server.awaitLog("ready", TIMEOUT);
            server.type("k");                           // s_server: send a KeyUpdate (RFC 8446 §4.6.3)
            server.type("after the update");

            assertThatThrownBy(() -> {
                while (connection.channel().read(buffer, TIMEOUT) >= 0) {
                    // data before the KeyUpdate, if any, is fine; what follows it must not be read as data
                }
            }).isInstanceOf(SSLException.class).hasMessageContaining("KeyUpdate");
        }
    }
    // end::key-update[]

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * TLS 1.3 records that the server pads (RFC 8446 §5.4), though step 4 told the kernel to expect
     * none: it decrypts into the reader's buffer, finds the padding, and decrypts those records again
     * into its own. The bytes are right either way; the kernel's count of such records shows that the
     * direct path was tried, and that an unpadded server never sends it down the slow one.
     */
    // tag::padded-records[]
    @Test
    void paddedTls13RecordsAreReadRightThoughTheKernelExpectsNone(@TempDir Path root) throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        byte[] content = JdkHttpsServer.pattern(200_000);
        Files.write(root.resolve("data.bin"), content);
        for (boolean padded : List.of(false, true)) {
            long before = tlsStat("TlsRxNoPadViolation");
            String[] padding = padded ? new String[] {"-record_padding", "4096"} : new String[0];
            try (var server = OpenSslServer.start(PKI.leaf(TestPki.KeyType.EC), suite, root, padding);
                 var loop = EventLoop.start("test", 8);
                 var connection = KtlsConnection.open(loop, "127.0.0.1", server.port(), options(suite), TIMEOUT);
                 var http = new Http1Connection(connection.channel(), TIMEOUT)) {

                HttpResponse response = http.send(HttpRequest.get(URI.create("https://127.0.0.1:" + server.port()
                        + "/data.bin")));

                assertThat(response.status()).isEqualTo(200);
                assertThat(sha256(response.body())).as("padded: " + padded).isEqualTo(sha256(content));
            }
            long violations = tlsStat("TlsRxNoPadViolation") - before;
            if (padded) {
                assertThat(violations).as("padded records the kernel decrypted twice").isPositive();
            } else {
                assertThat(violations).as("records decrypted twice from an unpadded server").isZero();
            }
        }
    }
    // end::padded-records[]

    /** A counter of the kernel's TLS statistics ({@code /proc/net/tls_stat}, this network namespace). */
    static long tlsStat(String name) throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/net/tls_stat")).stream()
                .map(line -> line.trim().split("\\s+"))
                .filter(f -> f.length == 2 && f[0].equals(name))
                .mapToLong(f -> Long.parseLong(f[1]))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in /proc/net/tls_stat"));
    }

    @Test
    void keepAliveChunkedAndEveryMethodOnOneConnection() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_256_GCM_SHA384;
        try (var server = new JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC));
             var loop = EventLoop.start("test", 8);
             var connection = KtlsConnection.open(loop, "localhost", server.port(), options(suite), TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {
            String base = "https://localhost:" + server.port();

            for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                byte[] body = method.equals("GET") || method.equals("DELETE") ? new byte[0]
                        : ("body of " + method).getBytes(StandardCharsets.UTF_8);
                HttpResponse response = http.send(HttpRequest.of(method, URI.create(base + "/echo"), body));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo(method + " " + new String(body, StandardCharsets.UTF_8));
                assertThat(http.reusable()).as("keep-alive after " + method).isTrue();
            }

            HttpResponse chunked = http.send(HttpRequest.get(URI.create(base + "/chunked?n=2000")));
            assertThat(chunked.header("Transfer-Encoding")).contains("chunked");
            assertThat(chunked.bodyText()).isEqualTo(
                    IntStream.range(0, 2000).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()));
        }
    }
}
