package dev.ktlsuring.bench;

import dev.ktlsuring.client.ClientOptions;
import dev.ktlsuring.client.HttpsClient;
import dev.ktlsuring.client.Request;
import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.Trust;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One JVM client in its own process, driven by the {@link Benchmark} over standard input and output,
 * one command per line, one reply line each:
 *
 * <pre>
 *   large URL            -> ok WALL USER SYS BYTES -
 *   keepalive URL N      -> ok WALL USER SYS BYTES LAT,LAT,...   (N timed requests after one untimed)
 *   newconn URL N        -> ok WALL USER SYS BYTES LAT,LAT,...
 *   concurrent URL C N   -> ok WALL USER SYS BYTES LAT,LAT,... N ENTERS OPS   (N timed requests, C at once,
 *                           after C untimed ones at once)
 *   parallel URL K       -> ok WALL USER SYS BYTES - 0 ENTERS OPS              (K downloads at once)
 *   counters             -> ok ENTERS OPS     (the shared client's ring so far; -1 -1 for the JDK client)
 *   jfr-start FILE | jfr-stop -> ok
 *   quit
 * </pre>
 *
 * or {@code error MESSAGE}. (Replies to the first three end in {@code N -1 -1} too.) Times are
 * nanoseconds; CPU is this whole process (getrusage), so GC and JIT threads count; ENTERS and OPS are
 * the {@code io_uring_enter} calls and completed operations of this client's ring over the measured
 * requests, as the ring counts them ({@code -1} for the JDK client). The process stays alive between
 * rounds, so its JIT warms up over the warm-up rounds exactly as a long-running service's would.
 *
 * <p>Arguments: client name, CA file, and the most connections per host of the shared client that
 * serves the concurrent scenarios (default 256).
 */
public final class Worker {

    /** The client under test, behind the three scenarios. */
    interface Client {
        /** Downloads {@code uri} on a new connection, discarding the body; returns its length. */
        long download(URI uri) throws Exception;

        /** A session of requests for one small resource; {@code fresh}: each on a new connection. */
        Session session(boolean fresh) throws Exception;

        /**
         * {@code n} GETs of {@code uri} with {@code c} in flight at once, on the client this worker keeps
         * for concurrency {@code c} over all rounds; every body must be {@code expected}. Returns each
         * request's latency.
         */
        long[] concurrently(URI uri, int c, int n, byte[] expected) throws Exception;

        /** {@code k} downloads of {@code uri} at once, bodies counted and discarded; returns the bytes of all. */
        long downloads(URI uri, int k) throws Exception;

        /** {@code io_uring_enter} calls and completed operations of the shared client's ring so far; -1s without one. */
        default long[] ringCounters() throws Exception {
            return new long[] {-1, -1};
        }
    }

    interface Session extends AutoCloseable {
        /** One GET; returns the body length. */
        int get(URI uri) throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        // Standard output carries only the protocol; anything else a library prints goes to stderr.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        String name = args[0];
        Path ca = Path.of(args[1]);
        int pool = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Client client = switch (name) {
            case "uring-userspace" -> new UringClient(ca, TlsMode.USERSPACE, pool);
            case "uring-ktls" -> new UringClient(ca, TlsMode.KTLS, pool);
            case "jdk" -> new JdkClient(ca);
            default -> throw new IllegalArgumentException("unknown client " + name);
        };
        protocol.println("ready");
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Recording recording = null;
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.split(" ");
            try {
                switch (w[0]) {
                    case "large" -> protocol.println(large(client, URI.create(w[1])).encode());
                    case "keepalive" -> protocol.println(requests(client, URI.create(w[1]), Integer.parseInt(w[2]), false).encode());
                    case "newconn" -> protocol.println(requests(client, URI.create(w[1]), Integer.parseInt(w[2]), true).encode());
                    case "concurrent" -> protocol.println(concurrent(client, URI.create(w[1]), Integer.parseInt(w[2]),
                            Integer.parseInt(w[3])).encode());
                    case "parallel" -> protocol.println(parallel(client, URI.create(w[1]), Integer.parseInt(w[2])).encode());
                    case "counters" -> {
                        long[] ring = client.ringCounters();
                        protocol.println("ok " + ring[0] + " " + ring[1]);
                    }
                    case "jfr-start" -> {
                        recording = new Recording(Configuration.getConfiguration("profile"));
                        // Denser than the profile settings' 10-20 ms: one sample per millisecond, and JDK 25's
                        // CPU-time sampler (JEP 509, Linux), which also sees threads inside native code.
                        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
                        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1));
                        recording.enable("jdk.CPUTimeSample").with("throttle", "1ms");
                        recording.setDestination(Path.of(w[1]));
                        recording.start();
                        protocol.println("ok");
                    }
                    case "jfr-stop" -> {
                        if (recording != null) {
                            recording.stop();
                            recording.close();
                            recording = null;
                        }
                        protocol.println("ok");
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> protocol.println("error unknown command: " + w[0]);
                }
            } catch (Exception e) {
                e.printStackTrace();
                String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                protocol.println("error " + e.getClass().getSimpleName() + ": " + message);
            }
        }
    }

    private static Measurement large(Client client, URI uri) throws Exception {
        CpuTime cpu = CpuTime.self();
        long start = System.nanoTime();
        long bytes = client.download(uri);
        long wall = System.nanoTime() - start;
        return new Measurement(wall, CpuTime.self().minus(cpu), bytes, new long[0]);
    }

    private static Measurement requests(Client client, URI uri, int n, boolean fresh) throws Exception {
        long[] latency = new long[n];
        long bytes = 0;
        try (Session session = client.session(fresh)) {
            session.get(uri);                                   // untimed: opens the (first) connection
            CpuTime cpu = CpuTime.self();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                bytes += session.get(uri);
                latency[i] = System.nanoTime() - t;
            }
            long wall = System.nanoTime() - start;
            return new Measurement(wall, CpuTime.self().minus(cpu), bytes, latency);
        }
    }

    // tag::concurrent-run[]
    /**
     * {@code c} untimed requests at once, which open (or find) the connections, then {@code n} timed
     * ones with {@code c} in flight; CPU and the ring's counts over the timed ones only.
     */
    static Measurement concurrent(Client client, URI uri, int c, int n) throws Exception {
        byte[] expected = Benchmark.smallFile();
        client.concurrently(uri, c, c, expected);
        long[] ring = client.ringCounters();
        CpuTime cpu = CpuTime.self();
        long start = System.nanoTime();
        long[] latency = client.concurrently(uri, c, n, expected);
        long wall = System.nanoTime() - start;
        CpuTime used = CpuTime.self().minus(cpu);
        long[] after = client.ringCounters();
        return new Measurement(wall, used, (long) expected.length * n, latency, n,
                ring[0] < 0 ? -1 : after[0] - ring[0], ring[1] < 0 ? -1 : after[1] - ring[1]);
    }
    // end::concurrent-run[]

    static Measurement parallel(Client client, URI uri, int k) throws Exception {
        long[] ring = client.ringCounters();
        CpuTime cpu = CpuTime.self();
        long start = System.nanoTime();
        long bytes = client.downloads(uri, k);
        long wall = System.nanoTime() - start;
        CpuTime used = CpuTime.self().minus(cpu);
        long[] after = client.ringCounters();
        return new Measurement(wall, used, bytes, new long[0], 0,
                ring[0] < 0 ? -1 : after[0] - ring[0], ring[1] < 0 ? -1 : after[1] - ring[1]);
    }

    /** The body of a concurrent run's response must be the file served, byte for byte. */
    static void checkBody(int status, byte[] body, byte[] expected, URI uri) throws IOException {
        check(status, uri);
        if (!Arrays.equals(body, expected)) {
            throw new IOException("the body of " + uri + " (" + body.length + " bytes) is not the " + expected.length
                    + "-byte file served");
        }
    }

    /** Runs {@code task} on {@code k} virtual threads at once and waits for all; the first failure is thrown. */
    static void onVirtualThreads(int k, Callable<?> task) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread[] threads = new Thread[k];
        for (int t = 0; t < k; t++) {
            threads[t] = Thread.ofVirtual().name("bench-caller-", t).start(() -> {
                try {
                    task.call();
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Counts bytes, keeps none. */
    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    // tag::uring-client[]
    /** This project's client: a 200 response's body goes to a sink that only counts. */
    static final class UringClient implements Client {
        private final ClientOptions options;
        private final int pool;
        private HttpsClient shared;

        UringClient(Path ca, TlsMode mode) throws IOException {
            this(ca, mode, 256);
        }

        /** {@code pool}: the most connections of the shared client of the concurrent scenarios. */
        UringClient(Path ca, TlsMode mode, int pool) throws IOException {
            options = ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(Trust.pemFile(ca))).withMode(mode);
            this.pool = pool;
        }

        @Override
        public long download(URI uri) throws IOException {
            var sink = new CountingStream();
            try (var client = HttpsClient.create(options)) {
                var response = client.send(Request.get(uri), head -> sink);
                check(response.status(), uri);
            }
            return sink.count;
        }

        @Override
        public Session session(boolean fresh) throws IOException {
            var client = HttpsClient.create(options);
            return new Session() {
                @Override
                public int get(URI uri) throws IOException {
                    Request request = Request.get(uri);
                    if (fresh) {
                        request = request.withHeader("Connection", "close");
                    }
                    var response = client.send(request);
                    check(response.status(), uri);
                    return response.body().length;
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }

        // tag::concurrent-client[]
        /**
         * One client for every concurrent run, kept for the whole process, so that its connections and
         * its ring stay warm from round to round: at most {@code pool} connections, idle ones kept 10 min.
         */
        private synchronized HttpsClient shared() throws IOException {
            if (shared == null) {
                shared = HttpsClient.create(options.withPool(pool, Duration.ofMinutes(10)));
            }
            return shared;
        }

        /**
         * {@code c} virtual threads, each sending one request after another with the blocking
         * {@link HttpsClient#send}, request numbers from a shared counter until {@code n} are done.
         * The pool hands out the most recently returned idle connection first, so at most {@code c}
         * connections serve the run whatever the pool holds.
         */
        @Override
        public long[] concurrently(URI uri, int c, int n, byte[] expected) throws Exception {
            HttpsClient client = shared();
            Request request = Request.get(uri);
            long[] latency = new long[n];
            AtomicInteger next = new AtomicInteger();
            onVirtualThreads(Math.min(c, n), () -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    long t = System.nanoTime();
                    var response = client.send(request);
                    latency[i] = System.nanoTime() - t;
                    checkBody(response.status(), response.body(), expected, uri);
                }
                return null;
            });
            return latency;
        }
        // end::concurrent-client[]

        /** {@code k} virtual threads on the shared client, each downloading into a sink that only counts. */
        @Override
        public long downloads(URI uri, int k) throws Exception {
            HttpsClient client = shared();
            AtomicLong bytes = new AtomicLong();
            onVirtualThreads(k, () -> {
                var sink = new CountingStream();
                var response = client.send(Request.get(uri), head -> sink);
                check(response.status(), uri);
                return bytes.addAndGet(sink.count);
            });
            return bytes.get();
        }

        @Override
        public long[] ringCounters() throws IOException {
            HttpsClient client = shared();
            return new long[] {client.ioUringEnterCalls(), client.ioUringOperations()};
        }
    }
    // end::uring-client[]

    /** The JDK's java.net.http.HttpClient, HTTP/1.1 only, trusting the benchmark's CA. */
    static final class JdkClient implements Client {
        private final SSLContext context;
        /**
         * The concurrent runs' clients, one per concurrency, each kept for the whole process. Its pool
         * hands out the idle connection returned longest ago first, so a client shared by all levels
         * would spread a small concurrency's requests over every connection a larger one had opened.
         */
        private final Map<Integer, HttpClient> concurrent = new HashMap<>();
        private HttpClient downloads;

        JdkClient(Path ca) throws Exception {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                anchors.setCertificateEntry("bench-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
        }

        private HttpClient newClient() {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                    .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NEVER).build();
        }

        @Override
        public long download(URI uri) throws Exception {
            try (HttpClient client = newClient()) {
                HttpResponse<Long> response = client.send(HttpRequest.newBuilder(uri).build(),
                        info -> HttpResponse.BodySubscribers.fromSubscriber(new CountingSubscriber(), CountingSubscriber::count));
                check(response.statusCode(), uri);
                return response.body();
            }
        }

        @Override
        public Session session(boolean fresh) {
            HttpClient client = newClient();
            return new Session() {
                @Override
                public int get(URI uri) throws Exception {
                    var request = HttpRequest.newBuilder(uri);
                    if (fresh) {
                        // A restricted header: allowed by -Djdk.httpclient.allowRestrictedHeaders=connection.
                        request.header("Connection", "close");
                    }
                    HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                    check(response.statusCode(), uri);
                    return response.body().length;
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }

        /**
         * {@code sendAsync} with at most {@code c} requests in flight (a semaphore), on the client for
         * concurrency {@code c}; its pool opens connections as it needs them.
         */
        @Override
        public long[] concurrently(URI uri, int c, int n, byte[] expected) throws Exception {
            HttpClient client = concurrent.computeIfAbsent(c, k -> newClient());
            HttpRequest request = HttpRequest.newBuilder(uri).build();
            long[] latency = new long[n];
            Semaphore inFlight = new Semaphore(c);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < n && failure.get() == null; i++) {
                inFlight.acquire();
                int at = i;
                long t = System.nanoTime();
                client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                    latency[at] = System.nanoTime() - t;
                    try {
                        if (error != null) {
                            throw error;
                        }
                        checkBody(response.statusCode(), response.body(), expected, uri);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            inFlight.acquire(c);                                // every request has completed
            inFlight.release(c);
            if (failure.get() instanceof Exception e) {
                throw e;
            } else if (failure.get() != null) {
                throw new IOException(failure.get());
            }
            return latency;
        }

        /** {@code k} {@code sendAsync} at once on one client kept for the whole process. */
        @Override
        public long downloads(URI uri, int k) throws Exception {
            if (downloads == null) {
                downloads = newClient();
            }
            List<CompletableFuture<HttpResponse<Long>>> all = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                all.add(downloads.sendAsync(HttpRequest.newBuilder(uri).build(),
                        info -> HttpResponse.BodySubscribers.fromSubscriber(new CountingSubscriber(), CountingSubscriber::count)));
            }
            long bytes = 0;
            for (var f : all) {
                HttpResponse<Long> response = f.get();
                check(response.statusCode(), uri);
                bytes += response.body();
            }
            return bytes;
        }
    }

    /** Counts the body's bytes as they arrive, keeps none. */
    static final class CountingSubscriber implements Flow.Subscriber<List<ByteBuffer>> {
        private long count;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                count += b.remaining();
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }

        long count() {
            return count;
        }
    }

    private static void check(int status, URI uri) throws IOException {
        if (status != 200) {
            throw new IOException("HTTP " + status + " for " + uri);
        }
    }
}
