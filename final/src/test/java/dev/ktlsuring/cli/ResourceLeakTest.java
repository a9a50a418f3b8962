package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import dev.ktlsuring.client.ClientOptions;
import dev.ktlsuring.client.HttpsClient;
import dev.ktlsuring.client.ProcessResources;
import dev.ktlsuring.client.Request;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.io.JdkHttpsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two thousand requests, successes and failures mixed, through the command line (a new client, ring
 * and connection each time) and through one long-lived library client (kept-alive connections),
 * leave nothing behind: no file descriptor, no io_uring ring or ring mapping, no native memory.
 *
 * <p>Native memory is measured with the JVM's native memory tracking (see {@link ProcessResources}).
 */
class ResourceLeakTest {

    static final TestPki PKI = TestPki.shared();
    static final int REQUESTS = 2000;

    @Test
    void thousandsOfRequestsLeaveNoDescriptorRingOrNativeMemory(@TempDir Path dir) throws Exception {
        String ca = MainTest.caFile(dir).toString();
        int closedPort = MainTest.closedPort();
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
            ProcessResources before = settled(null);

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
            ProcessResources during = ProcessResources.now();
            library[0].close();
            ProcessResources after = settled(before);
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
    private static ProcessResources settled(ProcessResources reference) throws Exception {
        ProcessResources now = ProcessResources.now();
        for (int i = 0; i < 50 && reference != null && now.fds() > reference.fds(); i++) {
            Thread.sleep(100);
            now = ProcessResources.now();
        }
        return now;
    }
}
