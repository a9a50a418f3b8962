package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several URLs in one command, one after another or at once with {@code -Z}: bodies where curl puts
 * them, kept-alive connections shared between URLs to the same host, and each failure reported with
 * its URL while the others go on.
 */
class SeveralUrlsTest {

    static final TestPki PKI = TestPki.shared();

    /** Keep-alive server: each response's body is its request's path, so every body says whose it is. */
    static final class PathServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger mostOpen = new AtomicInteger();
        final JdkTlsServer server;

        PathServer() throws IOException {
            server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
                connections.incrementAndGet();
                mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                try {
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    for (byte[] head; (head = JdkTlsServer.readRequestHead(in)) != null; ) {
                        String path = new String(head, StandardCharsets.US_ASCII).split(" ")[1];
                        String body = "<" + path + ">";
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } finally {
                    open.decrementAndGet();
                }
            });
        }

        String url(String path) {
            return "https://127.0.0.1:" + server.port() + path;
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    // tag::sequential[]
    @Test
    void urlsOneAfterAnotherShareOneConnectionAndBodiesFollowInOrder(@TempDir Path dir) throws Exception {
        try (var server = new PathServer()) {
            Run r = MainTest.run("--cacert", MainTest.caFile(dir).toString(),
                    server.url("/one"), server.url("/two"), server.url("/three"));

            assertThat(r.status()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).isEqualTo("</one></two></three>");
            assertThat(server.connections.get()).as("connections").isEqualTo(1);
        }
    }
    // end::sequential[]

    @Test
    void eachOutputGoesWithOneUrlInOrderAndTheRestToStandardOutput(@TempDir Path dir) throws Exception {
        try (var server = new PathServer()) {
            Path first = dir.resolve("first.txt");
            Run r = MainTest.run("--cacert", MainTest.caFile(dir).toString(), "-o", first.toString(),
                    server.url("/a"), server.url("/b"));

            assertThat(r.status()).isZero();
            assertThat(Files.readString(first)).isEqualTo("</a>");
            assertThat(r.out()).isEqualTo("</b>");
        }
    }

    // tag::failure[]
    @Test
    void aFailedTransferIsReportedWithItsUrlTheOthersGoOnAndTheFirstFailureIsTheExitStatus(@TempDir Path dir)
            throws Exception {
        byte[] truncated = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this".getBytes(StandardCharsets.US_ASCII);
        try (var server = new PathServer();
             var truncating = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), truncated, true)) {
            String refused = "https://127.0.0.1:" + MainTest.closedPort() + "/";
            Run r = MainTest.run("--cacert", MainTest.caFile(dir).toString(),
                    server.url("/ok1"), refused, truncating.url(), server.url("/ok2"));

            assertThat(r.status()).as("the first failure: connect refused").isEqualTo(7);
            // The truncated body's bytes went out as they came, before its failure was known, as in curl.
            assertThat(r.out()).isEqualTo("</ok1>only this</ok2>");
            assertThat(r.err().lines().toList()).hasSize(2).satisfiesExactly(
                    line -> assertThat(line).startsWith("ktls-https: " + refused + ": connect: ECONNREFUSED"),
                    line -> assertThat(line).startsWith("ktls-https: " + truncating.url() + ": "));
        }
    }
    // end::failure[]

    // tag::parallel[]
    @Test
    void parallelTransfersKeepWithinTheLimitReuseConnectionsAndNeverInterleaveBodies(@TempDir Path dir)
            throws Exception {
        try (var server = new PathServer()) {
            List<String> args = new ArrayList<>(List.of("-Z", "--parallel-max", "4", "--cacert", MainTest.caFile(dir).toString()));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                args.add(server.url("/item-" + i));
                expected.add("</item-" + i + ">");
            }
            Run r = MainTest.run(args.toArray(String[]::new));

            assertThat(r.status()).isZero();
            assertThat(r.err()).isEmpty();
            // Whole bodies, each once, in whatever order the transfers ended.
            List<String> bodies = new ArrayList<>(List.of(r.out().replace("><", ">\n<").split("\n")));
            assertThat(bodies).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(server.mostOpen.get()).as("connections open at once").isBetween(1, 4);
            assertThat(server.connections.get()).as("connections in all, reused across URLs").isLessThanOrEqualTo(4);
        }
    }
    // end::parallel[]

    @Test
    void parallelFailuresAreReportedWithTheirUrlsAndTheFirstInOrderDecides(@TempDir Path dir) throws Exception {
        try (var server = new PathServer()) {
            String refused = "https://127.0.0.1:" + MainTest.closedPort() + "/";
            Run r = MainTest.run("-Z", "--cacert", MainTest.caFile(dir).toString(), "--connect-timeout", "5",
                    server.url("/x"), refused, "https://no-such-host.invalid/");

            assertThat(r.status()).isEqualTo(7);
            assertThat(r.out()).isEqualTo("</x>");
            assertThat(r.err()).contains("ktls-https: " + refused + ": connect: ECONNREFUSED")
                    .contains("ktls-https: https://no-such-host.invalid/: could not resolve host: no-such-host.invalid");
        }
    }

    @Test
    void parallelMaxMustBeANumberAndOutOfRangeMeansTheDefault() throws Exception {
        assertThat(MainTest.run("--parallel-max", "many", "https://example.invalid/").status()).isEqualTo(2);
        assertThat(CommandLine.parse("-Z", "--parallel-max", "0", "https://example.invalid/").parallelMax())
                .isEqualTo(CommandLine.PARALLEL_DEFAULT);
        assertThat(CommandLine.parse("-Z", "--parallel-max", "301", "https://example.invalid/").parallelMax())
                .isEqualTo(CommandLine.PARALLEL_DEFAULT);
        assertThat(CommandLine.parse("-Z", "--parallel-max", "7", "https://example.invalid/").parallelMax()).isEqualTo(7);
    }
}
