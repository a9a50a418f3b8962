package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.io.JdkHttpsServer;
import dev.ktlsuring.ktls.KernelTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client library against nginx (OpenSSL) and the JDK's HTTPS server, in the mode this kernel
 * allows ({@link TlsMode#AUTO}; the {@code ktls} suite repeats the nginx case with kTLS required).
 */
class HttpsClientTest {

    static final TestPki PKI = TestPki.shared();
    static Path root;
    static NginxServer nginx;
    static byte[] large;

    @BeforeAll
    static void startNginx(@TempDir Path dir) throws Exception {
        root = dir;
        large = new byte[4 << 20];
        new java.util.Random(42).nextBytes(large);
        Files.write(root.resolve("large.bin"), large);
        Files.writeString(root.resolve("small.txt"), "small file\n");
        nginx = NginxServer.start(PKI.leaf(TestPki.KeyType.EC), root);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        nginx.close();
    }

    static ClientOptions options(TlsMode mode, List<String> trace) {
        return ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(PKI.trust())).withMode(mode)
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(120)).withTrace(trace::add);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    // tag::five-methods[]
    /** GET, POST, PUT, PATCH, DELETE on one kept-alive connection; bodies from memory, a file and a stream. */
    static void fiveMethodsAgainstNginx(TlsMode mode, Path tmp) throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        String base = "https://127.0.0.1:" + nginx.port();
        Path upload = Files.writeString(tmp.resolve("upload.json"), "{\"from\":\"a file\"}");
        try (var client = HttpsClient.create(options(mode, trace))) {
            HttpResponse get = client.send(Request.get(URI.create(base + "/small.txt")));
            HttpResponse post = client.send(Request.of("POST", URI.create(base + "/echo"), "hello nginx".getBytes()));
            HttpResponse put = client.send(new Request("PUT", URI.create(base + "/echo"), List.of(), RequestBody.of(upload)));
            HttpResponse patch = client.send(new Request("PATCH", URI.create(base + "/echo"), List.of(),
                    RequestBody.of(new ByteArrayInputStream("streamed, chunked".getBytes()))));
            HttpResponse delete = client.send(Request.of("DELETE", URI.create(base + "/echo"), new byte[0]));

            assertThat(get.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(get.bodyText()).isEqualTo("small file\n");
            assertThat(post.bodyText()).isEqualTo("POST 11\n");
            assertThat(put.bodyText()).isEqualTo("PUT 17\n");
            assertThat(patch.status()).isEqualTo(200);
            assertThat(patch.bodyText()).startsWith("PATCH");
            assertThat(delete.bodyText()).startsWith("DELETE");
        }
        assertThat(trace).filteredOn(l -> l.startsWith("Connecting to")).hasSize(1);
        assertThat(trace).contains("> Transfer-Encoding: chunked", "> Content-Length: 17", "< HTTP/1.1 200 OK");
        if (mode == TlsMode.KTLS) {
            assertThat(trace).anyMatch(l -> l.startsWith("Using kTLS (kernel TLS) + io_uring"));
        }
    }
    // end::five-methods[]

    static void largeDownloadStreamsExactly(TlsMode mode) throws Exception {
        try (var client = HttpsClient.create(options(mode, new CopyOnWriteArrayList<>()))) {
            var sink = new ByteArrayOutputStream();
            HttpResponse response = client.send(Request.get(URI.create("https://localhost:" + nginx.port() + "/large.bin")),
                    head -> sink);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEmpty();
            assertThat(sha256(sink.toByteArray())).isEqualTo(sha256(large));
        }
    }

    @Test
    void fiveMethodsAgainstNginxInAutoMode(@TempDir Path tmp) throws Exception {
        fiveMethodsAgainstNginx(TlsMode.AUTO, tmp);
    }

    @Test
    void largeDownloadInAutoMode() throws Exception {
        largeDownloadStreamsExactly(TlsMode.AUTO);
    }

    /** The trace of one GET in {@link TlsMode#AUTO}: it says which path the records took. */
    static List<String> autoModeTrace() throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        try (var client = HttpsClient.create(options(TlsMode.AUTO, trace))) {
            client.send(Request.get(URI.create("https://127.0.0.1:" + nginx.port() + "/small.txt")));
        }
        return trace;
    }

    @Test
    @DisabledIf(value = "dev.ktlsuring.ktls.KernelTls#ulpAvailable",
            disabledReason = "this kernel has kTLS: HttpsClientKtlsTest.autoModeSaysItUsesKtls covers it")
    void autoModeSaysItFellBackToUserspace() throws Exception {
        assertThat(autoModeTrace()).contains("Using userspace TLS (fallback: " + KernelTls.NO_ULP + ") + io_uring");
    }

    @Test
    void fiveMethodsAgainstTheJdkServerEchoTheirBodies() throws Exception {
        try (var server = new JdkHttpsServer(PKI.leaf(TestPki.KeyType.RSA));
             var client = HttpsClient.create(options(TlsMode.AUTO, new CopyOnWriteArrayList<>()))) {
            for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                byte[] body = ("payload of " + method).getBytes(StandardCharsets.UTF_8);
                HttpResponse r = client.send(Request.of(method, URI.create("https://localhost:" + server.port() + "/echo"), body));
                assertThat(r.bodyText()).isEqualTo(method + " payload of " + method);
            }
        }
    }
}
