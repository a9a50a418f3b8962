package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import dev.ktlsuring.client.ClientOptions;
import dev.ktlsuring.client.HttpsClient;
import dev.ktlsuring.client.Request;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.io.JdkHttpsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two thousand requests, successes and failures mixed, through the command line (a new client, ring
 * and connection each time) and through one long-lived library client (kept-alive connections),
 * leave nothing behind: no file descriptor, no io_uring ring or ring mapping, no native memory.
 *
 * <p>Native memory is measured with the JVM's native memory tracking ({@code -XX:NativeMemoryTracking=summary},
 * set for this module's tests in its pom): {@code Arena} allocations are {@code malloc}s of the NMT
 * category "Other", where every connection's buffers and every ring's parameters live, so a connection
 * or ring not released on some path shows up as growth in that category's block count and size. (The
 * {@code direct} buffer pool does not count {@code Arena} memory.)
 */
class ResourceLeakTest {

    static final TestPki PKI = TestPki.shared();
    static final int REQUESTS = 2000;

    /** What this process holds: open descriptors, io_uring ring descriptors and mappings, NMT "Other" mallocs. */
    record Resources(int fds, int rings, int ringMappings, long nativeBlocks, long nativeKiB) {

        private static final Pattern OTHER = Pattern.compile("\\(malloc=(\\d+)KB(?: tag=Other)? #(\\d+)\\)");

        static Resources now() throws IOException {
            int fds = 0, rings = 0;
            try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : entries.toList()) {
                    fds++;
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[io_uring]")) {
                            rings++;
                        }
                    } catch (IOException closedMeanwhile) {
                        // the descriptor of the listing itself, or one closed by another thread
                    }
                }
            }
            int mappings = (int) Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("io_uring")).count();
            String summary = nativeMemorySummary();
            int at = summary.indexOf("Other (reserved=");
            Matcher other = OTHER.matcher(summary);
            if (at < 0 || !other.find(at)) {
                throw new IllegalStateException("no NMT category Other: is -XX:NativeMemoryTracking=summary set?");
            }
            return new Resources(fds, rings, mappings, Long.parseLong(other.group(2)), Long.parseLong(other.group(1)));
        }

        /** {@code jcmd PID VM.native_memory summary}, in-process. */
        static String nativeMemorySummary() {
            try {
                return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                        new Object[]{new String[]{"summary", "scale=KB"}}, new String[]{String[].class.getName()});
            } catch (JMException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void thousandsOfRequestsLeaveNoDescriptorRingOrNativeMemory(@TempDir Path dir) throws Exception {
        String ca = MainTest.caFile(dir).toString();
        int closedPort;
        try (var s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        byte[] truncated = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this".getBytes(StandardCharsets.US_ASCII);
        try (var server = new JdkHttpsServer(PKI.leaf(TestPki.KeyType.EC));
             var truncating = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), truncated, true)) {
            String ok = "https://localhost:" + server.port() + "/echo";
            URI missing = URI.create("https://localhost:" + server.port() + "/missing");
            String refused = "https://127.0.0.1:" + closedPort + "/";
            ClientOptions options = ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(PKI.trust()));
            List<String> unexpected = new ArrayList<>();
            HttpsClient[] library = new HttpsClient[1];

            // Each kind of request: CLI success, CLI connection refused, library 200 (the connection is kept
            // alive), library 404 (on that connection; the JDK server then closes it), CLI truncated response.
            Runnable[] mix = {
                    () -> expect(run("--cacert", ca, ok), 0, unexpected),
                    () -> expect(run("--cacert", ca, refused), 7, unexpected),
                    () -> expect(library[0], URI.create(ok), 200, unexpected),
                    () -> expect(library[0], missing, 404, unexpected),
                    () -> expect(run("--cacert", ca, truncating.url()), 18, unexpected)};

            library[0] = HttpsClient.create(options);
            for (int i = 0; i < 50; i++) {                 // warm up: classes, server threads, buffer caches
                mix[i % mix.length].run();
            }
            library[0].close();
            Resources before = settled(null);

            library[0] = HttpsClient.create(options);
            long[] nanos = new long[mix.length];
            for (int i = 0; i < REQUESTS; i++) {
                long start = System.nanoTime();
                mix[i % mix.length].run();
                nanos[i % mix.length] += System.nanoTime() - start;
                if (i % 500 == 499) {                      // a fresh library client now and then, closed with idle connections
                    library[0].close();
                    library[0] = HttpsClient.create(options);
                }
            }
            mix[2].run();                                  // leaves a kept-alive connection in the library client
            Resources during = Resources.now();
            library[0].close();
            Resources after = settled(before);
            System.out.println("ResourceLeakTest: " + REQUESTS + " requests (ms per kind: "
                    + java.util.Arrays.toString(java.util.Arrays.stream(nanos).map(n -> n / 1_000_000).toArray())
                    + "); before " + before + "; with one client open " + during + "; after " + after);

            assertThat(unexpected).as("requests that did not end as scripted").isEmpty();
            // The measurements see what they are meant to: an open client holds a ring (a descriptor and its
            // mappings) and a kept-alive connection with its 64 KiB buffer.
            assertThat(during.rings()).isEqualTo(before.rings() + 1);
            assertThat(during.ringMappings()).isGreaterThan(before.ringMappings());
            assertThat(during.nativeKiB()).isGreaterThanOrEqualTo(before.nativeKiB() + 64);
            assertThat(after.rings()).as("io_uring ring descriptors").isEqualTo(before.rings());
            assertThat(after.ringMappings()).as("io_uring ring mappings").isEqualTo(before.ringMappings());
            assertThat(after.fds()).as("open descriptors (servers' own sockets may lag)").isLessThanOrEqualTo(before.fds() + 8);
            assertThat(after.nativeBlocks()).as("native allocations outstanding").isLessThanOrEqualTo(before.nativeBlocks() + 16);
            assertThat(after.nativeKiB()).as("native KiB outstanding").isLessThanOrEqualTo(before.nativeKiB() + 1024);
        }
    }

    private static Run run(String... args) {
        return MainTest.run(args);
    }

    private static void expect(Run r, int status, List<String> unexpected) {
        if (r.status() != status) {
            unexpected.add("exit " + r.status() + " instead of " + status + ": " + r.err());
        }
    }

    private static void expect(HttpsClient client, URI uri, int status, List<String> unexpected) {
        try {
            int got = client.send(Request.get(uri)).status();
            if (got != status) {
                unexpected.add("GET " + uri.getPath() + ": " + got + " instead of " + status);
            }
        } catch (IOException e) {
            unexpected.add("GET " + uri.getPath() + ": " + e);
        }
    }

    /** Measures once the servers have closed their ends (up to 5 s), or at once when there is no reference. */
    private static Resources settled(Resources reference) throws Exception {
        Resources now = Resources.now();
        for (int i = 0; i < 50 && reference != null && now.fds() > reference.fds(); i++) {
            Thread.sleep(100);
            now = Resources.now();
        }
        return now;
    }
}
