package dev.ktlsuring.cli;

import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.ktls.KernelTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line as a user meets it: exit status, standard output and one line on standard error,
 * for success and for each kind of failure.
 */
class MainTest {

    static final TestPki PKI = TestPki.shared();

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A JDK TLS server whose connections get {@code response} verbatim, then are closed. */
    static JdkTlsServer rawServer(String response) throws IOException {
        return new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            socket.getInputStream().read(new byte[4096]);
            OutputStream out = socket.getOutputStream();
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        });
    }

    /** A loopback port nothing listens on: one just given up by a server socket. */
    static int closedPort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path caFile(Path dir) throws Exception {
        return Files.writeString(dir.resolve("ca.pem"), TestPki.pem("CERTIFICATE", PKI.caCertificate().getEncoded()));
    }

    /** Where the kernel has kTLS, the fallback cannot happen: the {@code ktls}-tagged twins in {@link MainKtlsTest} cover that kernel. */
    static final String HAS_KTLS = "dev.ktlsuring.ktls.KernelTls#ulpAvailable";

    // tag::demo-output[]
    @Test
    @DisabledIf(value = HAS_KTLS, disabledReason = "this kernel has kTLS: MainKtlsTest.demoSaysItUsesKtls covers it")
    void demoRunsEveryMethodAndSaysWhichTlsPathItUses() {
        Run r = run();
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).containsPattern("Connecting to 127\\.0\\.0\\.1:\\d+ via io_uring")
                .contains("TLS handshake done: TLSv1.3")
                .contains("Using userspace TLS (fallback: " + KernelTls.NO_ULP + ") + io_uring");
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            assertThat(r.out()).containsPattern("--- " + method + " https://127\\.0\\.0\\.1:\\d+/demo")
                    .contains("{\"method\":\"" + method + "\"");
        }
        assertThat(r.out()).contains("{\"method\":\"PATCH\",\"received\":17,\"body\":\"{\\\"hello\\\":\\\"patch\\\"}\"}");
    }
    // end::demo-output[]

    @Test
    void requestWithHeadersBodyFromFileAndOutputToFile(@TempDir Path dir) throws Exception {
        Path upload = Files.writeString(dir.resolve("up.txt"), "uploaded from a file");
        Path output = dir.resolve("out.txt");
        try (var server = new dev.ktlsuring.io.JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC))) {
            Run r = run("-X", "PUT", "-H", "X-Test: 1", "-d", "@" + upload, "-o", output.toString(), "-i",
                    "--cacert", caFile(dir).toString(), "https://localhost:" + server.port() + "/echo");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(Files.readString(output)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nPUT uploaded from a file");
        }
    }

    @Test
    void bodyFromStandardInputIsStreamed(@TempDir Path dir) throws Exception {
        var stdin = System.in;
        try (var server = new dev.ktlsuring.io.JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC))) {
            System.setIn(new java.io.ByteArrayInputStream("from stdin".getBytes(StandardCharsets.UTF_8)));
            Run r = run("-d", "@-", "--cacert", caFile(dir).toString(), "https://localhost:" + server.port() + "/echo");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("POST from stdin");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void failuresGiveOneLineAndTheirOwnExitStatus(@TempDir Path dir) throws Exception {
        int closedPort = closedPort();
        assertThat(run("https://127.0.0.1:" + closedPort + "/")).isEqualTo(
                new Run(7, "", "ktls-https: connect: ECONNREFUSED (127.0.0.1:" + closedPort + ")\n"));
        assertThat(run("ftp://example.test/")).isEqualTo(
                new Run(2, "", "ktls-https: unsupported URL 'ftp://example.test/': only https:// URLs\n"));
        assertThat(run("https://exa mple/")).extracting(Run::status).isEqualTo(2);
        assertThat(run("--max-time", "soon", "https://x.test/")).isEqualTo(
                new Run(2, "", "ktls-https: --max-time needs a positive number of seconds, not 'soon'\n"));
        assertThat(run("--cipher", "rc4", "https://x.test/").err())
                .startsWith("ktls-https: unknown cipher 'rc4'");
        Run unresolved = run("https://no-such-host.invalid/");
        assertThat(unresolved.status()).isEqualTo(6);
        assertThat(unresolved.err()).startsWith("ktls-https: could not resolve host: no-such-host.invalid");
        assertThat(run("-d", "@" + dir.resolve("missing"), "https://x.test/")).isEqualTo(
                new Run(26, "", "ktls-https: -d: cannot read file: " + dir.resolve("missing") + "\n"));
        assertThat(run("https://[::1]:" + closedPort + "/")).isEqualTo(
                new Run(7, "", "ktls-https: connect: ECONNREFUSED ([::1]:" + closedPort + ")\n"));
    }

    /** What can be seen to be wrong before connecting is a usage error (exit 2), and nothing is sent. */
    @Test
    void badMethodsAndPortsAreUsageErrors() {
        assertThat(run("-X", "GE T", "https://x.test/")).isEqualTo(new Run(2, "",
                "ktls-https: invalid HTTP method 'GE T' (a token such as GET, POST, PUT, PATCH, DELETE)\n"));
        assertThat(run("-X", "GET / HTTP/1.1\r\nX-Injected:", "https://x.test/").status()).isEqualTo(2);
        assertThat(run("https://127.0.0.1:99999/")).isEqualTo(new Run(2, "",
                "ktls-https: malformed URL 'https://127.0.0.1:99999/': port 99999 is out of range (1-65535)\n"));
        assertThat(run("https://127.0.0.1:0/").err()).endsWith("port 0 is out of range (1-65535)\n");
        assertThat(run("-H", "X-Bad: a\nInjected: 1", "https://x.test/").status()).isEqualTo(2);
    }

    /** A header value goes out as the UTF-8 bytes typed, as curl sends them; never as '?'. */
    @Test
    void headerValuesAreSentAsTheirUtf8Bytes(@TempDir Path dir) throws Exception {
        var heads = new java.util.concurrent.CopyOnWriteArrayList<byte[]>();
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            heads.add(JdkTlsServer.readRequestHead(socket.getInputStream()));
            socket.getOutputStream().write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        })) {
            Run r = run("-H", "X-Name: caf\u00e9 \u20ac", "--cacert", caFile(dir).toString(),
                    "https://localhost:" + server.port() + "/");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(new String(heads.getFirst(), StandardCharsets.ISO_8859_1))
                    .contains("\r\nX-Name: " + new String("caf\u00e9 \u20ac".getBytes(StandardCharsets.UTF_8),
                            StandardCharsets.ISO_8859_1) + "\r\n");
        }
    }

    /** Output that can't be written is exit 23 and says where; a failed exchange leaves an -o file alone. */
    @Test
    void outputFailuresAreWriteErrors(@TempDir Path dir) throws Exception {
        try (var server = new dev.ktlsuring.io.JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC))) {
            String url = "https://localhost:" + server.port() + "/echo";
            Path nowhere = dir.resolve("no-such-dir").resolve("out.txt");
            assertThat(run("--cacert", caFile(dir).toString(), "-o", nowhere.toString(), url)).isEqualTo(new Run(23, "",
                    "ktls-https: cannot write output file " + nowhere + ": no such file or directory\n"));

            var err = new ByteArrayOutputStream();
            var closedStdout = new PrintStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("Broken pipe");
                }
            }, false, StandardCharsets.UTF_8);
            int status = new Main(closedStdout, new PrintStream(err, true, StandardCharsets.UTF_8))
                    .run("--cacert", caFile(dir).toString(), url);
            assertThat(status).isEqualTo(23);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ktls-https: cannot write to standard output\n");
        }
        int closedPort = closedPort();
        Path kept = Files.writeString(dir.resolve("kept.txt"), "earlier download");
        assertThat(run("-o", kept.toString(), "https://127.0.0.1:" + closedPort + "/").status()).isEqualTo(7);
        assertThat(kept).hasContent("earlier download");
    }

    @Test
    void certificateProblemsAreRejectedUnlessInsecure(@TempDir Path dir) throws Exception {
        try (var server = new dev.ktlsuring.io.JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC))) {
            String url = "https://localhost:" + server.port() + "/echo";
            Run untrusted = run(url);
            assertThat(untrusted.status()).isEqualTo(60);
            assertThat(untrusted.err()).startsWith("ktls-https: ").contains("untrusted").doesNotContain("\tat ");
            assertThat(untrusted.err().lines()).hasSize(1);

            Run insecure = run("-k", url);
            assertThat(insecure.status()).isZero();
            assertThat(insecure.err()).isEqualTo("ktls-https: warning: -k: the server's certificate and name are NOT verified\n");
            assertThat(insecure.out()).isEqualTo("GET ");

            Run wrongName = run("--cacert", caFile(dir).toString(), "https://127.0.0.2:" + server.port() + "/echo");
            assertThat(wrongName.status()).isIn(7, 60);
        }
    }

    @Test
    void truncatedAndMalformedResponsesAreErrorsNotOutput() throws Exception {
        Path ca = caFile(Files.createTempDirectory("ca"));
        try (var server = rawServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")) {
            Run r = run("--cacert", ca.toString(), "https://localhost:" + server.port() + "/");
            assertThat(r.status()).isEqualTo(18);
            assertThat(r.err()).isEqualTo("ktls-https: response truncated: got 9 of 100 body bytes (Content-Length) "
                    + "before the connection closed\n");
        }
        try (var server = rawServer("HTTP/1.1 200 OK\r\nBroken header\r\n\r\n")) {
            Run r = run("--cacert", ca.toString(), "https://localhost:" + server.port() + "/");
            assertThat(r.status()).isEqualTo(8);
            assertThat(r.err()).isEqualTo("ktls-https: malformed header field (no name or colon): \"Broken header\"\n");
        }
    }

    @Test
    void aStalledServerTimesOut() throws Exception {
        Path ca = caFile(Files.createTempDirectory("ca"));
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            socket.getInputStream().read(new byte[4096]);
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            long start = System.nanoTime();
            Run r = run("--max-time", "1.5", "--cacert", ca.toString(), "https://localhost:" + server.port() + "/");
            assertThat(r.status()).isEqualTo(28);
            assertThat(r.err()).startsWith("ktls-https: ").contains("timed out");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(8_000);
        }
    }

    @Test
    @DisabledIf(value = HAS_KTLS, disabledReason = "this kernel has kTLS: MainKtlsTest.ktlsModeUsesTheKernel covers it")
    void ktlsModeFailsClearlyWhereTheKernelCannot(@TempDir Path dir) throws Exception {
        try (var server = new dev.ktlsuring.io.JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC))) {
            Run r = run("--tls-mode", "ktls", "--cacert", caFile(dir).toString(), "https://localhost:" + server.port() + "/echo");
            assertThat(r).isEqualTo(new Run(4, "", "ktls-https: kTLS unavailable: " + KernelTls.NO_ULP + "\n"));
        }
    }
}
