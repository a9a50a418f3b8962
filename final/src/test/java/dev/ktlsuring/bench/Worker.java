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
import java.util.List;
import java.util.concurrent.Flow;

/**
 * One JVM client in its own process, driven by the {@link Benchmark} over standard input and output,
 * one command per line, one reply line each:
 *
 * <pre>
 *   large URL            -> ok WALL USER SYS BYTES -
 *   keepalive URL N      -> ok WALL USER SYS BYTES LAT,LAT,...   (N timed requests after one untimed)
 *   newconn URL N        -> ok WALL USER SYS BYTES LAT,LAT,...
 *   jfr-start FILE | jfr-stop -> ok
 *   quit
 * </pre>
 *
 * or {@code error MESSAGE}. Times are nanoseconds; CPU is this whole process (getrusage), so GC and
 * JIT threads count. The process stays alive between rounds, so its JIT warms up over the warm-up
 * rounds exactly as a long-running service's would.
 */
public final class Worker {

    /** The client under test, behind the three scenarios. */
    interface Client {
        /** Downloads {@code uri} on a new connection, discarding the body; returns its length. */
        long download(URI uri) throws Exception;

        /** A session of requests for one small resource; {@code fresh}: each on a new connection. */
        Session session(boolean fresh) throws Exception;
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
        Client client = switch (name) {
            case "uring-userspace" -> new UringClient(ca, TlsMode.USERSPACE);
            case "uring-ktls" -> new UringClient(ca, TlsMode.KTLS);
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

        UringClient(Path ca, TlsMode mode) throws IOException {
            options = ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(Trust.pemFile(ca))).withMode(mode);
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
    }
    // end::uring-client[]

    /** The JDK's java.net.http.HttpClient, HTTP/1.1 only, trusting the benchmark's CA. */
    static final class JdkClient implements Client {
        private final SSLContext context;

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
