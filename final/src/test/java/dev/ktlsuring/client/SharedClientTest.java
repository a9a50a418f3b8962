package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.http.TruncatedResponseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One client shared by many threads: 10,000 requests over 64 connections from virtual threads and from
 * {@code sendAsync}, every body checked; close from another thread mid-flight; and retries that never
 * send a request twice when that could do its work twice. The {@code ktls} suite repeats the first two
 * with the kernel doing every record ({@link SharedClientKtlsTest}).
 */
class SharedClientTest {

    static final TestPki PKI = TestPki.shared();
    static final int FILES = 64, CONNECTIONS = 64, REQUESTS = 10_000;
    static Path root;
    static NginxServer nginx;

    @BeforeAll
    static void startNginx(@TempDir Path dir) throws Exception {
        root = dir;
        Files.createDirectories(root.resolve("c"));
        for (int i = 0; i < FILES; i++) {
            Files.write(root.resolve("c/" + i + ".bin"), content(i));
        }
        nginx = NginxServer.start(PKI.leaf(TestPki.KeyType.EC), root);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        nginx.close();
    }

    /** 1 KiB that differs for every file, so that a body delivered to the wrong request shows. */
    static byte[] content(int file) {
        byte[] b = new byte[1024];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (file * 31 + i * 7 + (i >> 8));
        }
        return b;
    }

    static ClientOptions options(TlsMode mode, Consumer<String> trace) {
        return ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(PKI.trust())).withMode(mode)
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(300)).withTrace(trace)
                .withPool(CONNECTIONS, Duration.ofSeconds(60));
    }

    /** Counts the handshakes in the trace: one per connection the client opened. */
    static Consumer<String> handshakeCounter(LongAdder handshakes) {
        return line -> {
            if (line.startsWith("TLS handshake done")) {
                handshakes.increment();
            }
        };
    }

    // tag::virtual-threads[]
    static void tenThousandRequestsFromSixtyFourVirtualThreads(TlsMode mode) throws Exception {
        LongAdder handshakes = new LongAdder();
        try (var client = HttpsClient.create(options(mode, handshakeCounter(handshakes)));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < CONNECTIONS; t++) {
                int thread = t;
                workers.add(threads.submit(() -> {
                    int checked = 0;
                    for (int i = thread; i < REQUESTS; i += CONNECTIONS) {
                        int file = (i * 7) % FILES;
                        HttpResponse r = client.send(Request.get(URI.create(
                                "https://127.0.0.1:" + nginx.port() + "/c/" + file + ".bin")));
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.body()).as("request %d, file %d", i, file).isEqualTo(content(file));
                        checked++;
                    }
                    return checked;
                }));
            }
            int checked = 0;
            for (Future<Integer> w : workers) {
                checked += w.get(10, TimeUnit.MINUTES);
            }
            assertThat(checked).isEqualTo(REQUESTS);
            long operations = client.ioUringOperations(), enters = client.ioUringEnterCalls();
            System.out.printf("SharedClientTest (%s): %d requests, %d operations, %d io_uring_enter calls, "
                            + "%.3f enters per request, %.3f per operation%n", mode, REQUESTS, operations, enters,
                    (double) enters / REQUESTS, (double) enters / operations);
            assertThat(handshakes.sum()).as("connections opened").isBetween(1L, (long) CONNECTIONS);
            assertThat(client.ioUringEnterCalls()).as("io_uring_enter calls").isLessThan(client.ioUringOperations());
        }
    }
    // end::virtual-threads[]

    // tag::send-async[]
    static void tenThousandRequestsWithSendAsync(TlsMode mode) throws Exception {
        LongAdder handshakes = new LongAdder();
        try (var client = HttpsClient.create(options(mode, handshakeCounter(handshakes)))) {
            List<CompletableFuture<Boolean>> checks = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int file = (i * 13) % FILES;
                checks.add(client.sendAsync(Request.get(URI.create("https://127.0.0.1:" + nginx.port() + "/c/" + file + ".bin")))
                        .thenApply(r -> r.status() == 200 && Arrays.equals(r.body(), content(file))));
            }
            CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            assertThat(checks).allSatisfy(c -> assertThat(c.join()).isTrue());
            assertThat(handshakes.sum()).as("connections opened, at most the pool's limit").isBetween(1L, (long) CONNECTIONS);
        }
    }
    // end::send-async[]

    @Test
    void tenThousandRequestsFromSixtyFourVirtualThreadsUserspace() throws Exception {
        tenThousandRequestsFromSixtyFourVirtualThreads(TlsMode.USERSPACE);
    }

    @Test
    void tenThousandRequestsWithSendAsyncUserspace() throws Exception {
        tenThousandRequestsWithSendAsync(TlsMode.USERSPACE);
    }

    // tag::close-in-flight[]
    @Test
    void closeFromAnotherThreadFailsTheRequestsInFlightAndLeaksNothing() throws Exception {
        CountDownLatch arrived = new CountDownLatch(16);
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            byte[] head = JdkTlsServer.readRequestHead(socket.getInputStream());
            if (head != null) {
                if (new String(head, StandardCharsets.US_ASCII).startsWith("GET /slow ")) {
                    arrived.countDown();
                }
                socket.getInputStream().read();    // never answers: the client waits until it closes
            }
        })) {
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/slow");
            warmUp(URI.create("https://127.0.0.1:" + server.port() + "/warm-up"));
            ProcessResources before = ProcessResources.now();

            var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }));
            List<CompletableFuture<HttpResponse>> inFlight = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                inFlight.add(client.sendAsync(Request.get(uri)));
            }
            assertThat(arrived.await(60, TimeUnit.SECONDS)).as("16 requests at the server").isTrue();
            long start = System.nanoTime();
            Thread.ofPlatform().start(client::close).join(30_000);

            for (CompletableFuture<HttpResponse> f : inFlight) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(ClientClosedException.class)
                        .hasMessageStartingWith("the HttpsClient was closed while the request to 127.0.0.1:" + server.port());
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThatThrownBy(() -> client.send(Request.get(uri))).isInstanceOf(ClientClosedException.class)
                    .hasMessage("the HttpsClient is closed");

            // The in-process server closes its ends of the sixteen connections on its own threads: wait for that.
            ProcessResources after = ProcessResources.now();
            for (int i = 0; i < 50 && after.fds() > before.fds(); i++) {
                Thread.sleep(100);
                after = ProcessResources.now();
            }
            assertThat(after.fds()).as("descriptors").isEqualTo(before.fds());
            assertThat(after.rings()).as("rings").isEqualTo(before.rings());
            assertThat(after.ringMappings()).as("ring mappings").isEqualTo(before.ringMappings());
            // Every connection's Arena (buffers, records) and the ring's own were closed: NMT's malloc count.
            assertThat(after.nativeBlocks()).as("native allocations").isLessThanOrEqualTo(before.nativeBlocks() + 4);
            assertThat(after.nativeKiB()).as("native KiB").isLessThanOrEqualTo(before.nativeKiB() + 64);
        }
    }
    // end::close-in-flight[]

    /** Loads every class the measured run uses, so that the descriptor count is not moved by jar files. */
    private static void warmUp(URI uri) throws Exception {
        try (var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }))) {
            var f = client.sendAsync(Request.get(uri).withTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(f::join).hasCauseInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    // tag::no-duplicates[]
    @Test
    void aStreamBodyPostOnAStaleConnectionIsNotSentAgain() throws Exception {
        try (var server = new DroppingServer(); var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }))) {
            assertThat(client.send(Request.get(server.uri())).bodyText()).isEqualTo("ok");
            var post = new Request("POST", server.uri(), List.of(),
                    RequestBody.of(new ByteArrayInputStream("one-shot".getBytes(StandardCharsets.US_ASCII))));

            assertThatThrownBy(() -> client.send(post))
                    .isInstanceOf(TruncatedResponseException.class)
                    .hasMessage("the server closed the kept-alive connection without responding; "
                            + "POST is not idempotent, so it was not sent again");
            assertThat(server.requests).containsExactly("GET", "POST");
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aPutWithAStreamBodyIsNotSentAgainEither() throws Exception {
        try (var server = new DroppingServer(); var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }))) {
            client.send(Request.get(server.uri()));
            var put = new Request("PUT", server.uri(), List.of(),
                    RequestBody.of(new ByteArrayInputStream("one-shot".getBytes(StandardCharsets.US_ASCII))));

            assertThatThrownBy(() -> client.send(put))
                    .isInstanceOf(TruncatedResponseException.class)
                    .hasMessageEndingWith("PUT with a one-shot stream body, so it was not sent again");
            assertThat(server.requests).containsExactly("GET", "PUT");
        }
    }

    @Test
    void anIdempotentRequestWithAReplayableBodyIsSentAgainOnANewConnection() throws Exception {
        try (var server = new DroppingServer(); var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }))) {
            client.send(Request.get(server.uri()));
            var put = new Request("PUT", server.uri(), List.of(), RequestBody.of("replayable".getBytes(StandardCharsets.US_ASCII)));

            assertThat(client.send(put).bodyText()).isEqualTo("ok");
            assertThat(server.requests).containsExactly("GET", "PUT", "PUT");
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }
    // end::no-duplicates[]

    @Test
    void aRequestWaitsForAFreeConnectionWhenTheHostsLimitIsReached() throws Exception {
        LongAdder handshakes = new LongAdder();
        try (var client = HttpsClient.create(options(TlsMode.USERSPACE, handshakeCounter(handshakes))
                .withPool(2, Duration.ofSeconds(60)))) {
            List<CompletableFuture<HttpResponse>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(client.sendAsync(Request.get(URI.create("https://127.0.0.1:" + nginx.port() + "/c/1.bin"))));
            }
            for (var f : all) {
                assertThat(f.get(60, TimeUnit.SECONDS).body()).isEqualTo(content(1));
            }
            assertThat(handshakes.sum()).isBetween(1L, 2L);
        }
    }

    @Test
    void anIdleConnectionPastTheIdleTimeoutIsClosedNotReused() throws Exception {
        LongAdder handshakes = new LongAdder();
        try (var client = HttpsClient.create(options(TlsMode.USERSPACE, handshakeCounter(handshakes))
                .withPool(4, Duration.ofMillis(200)))) {
            URI uri = URI.create("https://127.0.0.1:" + nginx.port() + "/c/2.bin");
            client.send(Request.get(uri));
            client.send(Request.get(uri));
            assertThat(handshakes.sum()).as("reused while fresh").isEqualTo(1);
            Thread.sleep(400);
            client.send(Request.get(uri));
            assertThat(handshakes.sum()).as("after the idle timeout").isEqualTo(2);
        }
    }

    @Test
    void aRequestsOwnTimeoutBoundsItsExchange() throws Exception {
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            JdkTlsServer.readRequestHead(socket.getInputStream());
            socket.getInputStream().read();
        }); var client = HttpsClient.create(options(TlsMode.USERSPACE, line -> { }))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.send(Request.get(URI.create("https://127.0.0.1:" + server.port() + "/"))
                    .withTimeout(Duration.ofMillis(500))))
                    .isInstanceOf(java.net.SocketTimeoutException.class)
                    .hasMessage("operation timed out after 500 ms (127.0.0.1:" + server.port() + ")");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
        }
    }

    /**
     * A keep-alive server that answers the first request of its first connection, then reads the second
     * request whole and closes without a word, as a server does whose keep-alive timer ran out just as
     * the request arrived. Later connections answer everything.
     */
    static final class DroppingServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        final JdkTlsServer server;

        DroppingServer() throws Exception {
            server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
                int connection = connections.incrementAndGet();
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int n = 1; ; n++) {
                    byte[] head = JdkTlsServer.readRequestHead(in);
                    if (head == null) {
                        return;
                    }
                    String text = new String(head, StandardCharsets.ISO_8859_1);
                    requests.add(text.substring(0, text.indexOf(' ')));
                    skipBody(text, in);
                    if (connection == 1 && n == 2) {
                        return;                       // closes the connection, no response
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            });
        }

        /** Reads the request's body, framed by Content-Length or chunked, so that the next head follows. */
        private static void skipBody(String head, InputStream in) throws java.io.IOException {
            String lower = head.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("transfer-encoding: chunked")) {
                for (int size; (size = Integer.parseInt(line(in).strip(), 16)) > 0; ) {
                    in.readNBytes(size + 2);       // the chunk and its CRLF
                }
                line(in);                          // the empty line after the last chunk
                return;
            }
            int at = lower.indexOf("content-length: ");
            if (at >= 0) {
                in.readNBytes(Integer.parseInt(lower.substring(at + 16, lower.indexOf('\r', at)).strip()));
            }
        }

        private static String line(InputStream in) throws java.io.IOException {
            var text = new StringBuilder();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
                text.append((char) b);
            }
            return text.toString();
        }

        URI uri() {
            return URI.create("https://127.0.0.1:" + server.port() + "/");
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
