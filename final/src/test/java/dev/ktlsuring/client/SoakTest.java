package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A bounded soak: {@value #THREADS} threads, each with its own client and kept-alive connection, send
 * {@value #REQUESTS_PER_THREAD} GETs each (userspace TLS, so it runs on any kernel) to nginx. Every
 * body is checked, nginx must have logged exactly every request, and what the process holds must be
 * the same after the run as after the warm-up: the same descriptors and rings, no more {@code Arena}
 * memory, and no steady native growth. The whole run is bounded by {@link #TIME_LIMIT}: a hang fails.
 */
class SoakTest {

    static final int THREADS = 16, REQUESTS_PER_THREAD = 10_000, WARM_UP_PER_THREAD = 1_000;
    static final Duration TIME_LIMIT = Duration.ofMinutes(5);
    static final TestPki PKI = TestPki.shared();

    /*
     * Bounds on growth between the two measurements, both taken with every client open and idle, 144,000
     * requests apart. Arena memory: less than one connection's 64 KiB I/O buffer. NMT non-heap: 16 MiB
     * leaves room for the JIT (code cache, compiler arenas) still settling, yet a leak of 120 bytes a
     * request would exceed it. RSS: loose, because it counts heap pages first touched during the run.
     */
    static final long MAX_ARENA_GROWTH_KIB = 64, MAX_NON_HEAP_GROWTH_KIB = 16 * 1024, MAX_RSS_GROWTH_KIB = 128 * 1024;

    @Test
    void sixteenThreadsTenThousandRequestsEachNoErrorNoGrowth(@TempDir Path root) throws Exception {
        byte[] content = "a small file, served 160,000 times\n".repeat(30).getBytes(StandardCharsets.US_ASCII);
        Files.write(root.resolve("small.txt"), content);
        NginxServer nginx = NginxServer.start(PKI.leaf(TestPki.KeyType.EC), root);
        try {
            URI uri = URI.create("https://127.0.0.1:" + nginx.port() + "/small.txt");
            ClientOptions options = ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(PKI.trust()))
                    .withMode(TlsMode.USERSPACE).withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30));

            Queue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicLong checked = new AtomicLong();
            // Workers and this thread meet four times: warm-up done | measured, go on | run done | measured, close.
            CyclicBarrier meet = new CyclicBarrier(THREADS + 1);
            ProcessResources[] measured = new ProcessResources[2];
            long[] runNanos = new long[1];
            ExecutorService pool = Executors.newFixedThreadPool(THREADS, Thread.ofPlatform().daemon().factory());
            long start = System.nanoTime();
            try {
                assertTimeoutPreemptively(TIME_LIMIT, () -> {
                    List<Future<?>> workers = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        workers.add(pool.submit(() -> {
                            try (var client = HttpsClient.create(options)) {
                                getAndCheck(client, uri, content, WARM_UP_PER_THREAD, errors, checked);
                                await(meet);
                                await(meet);
                                getAndCheck(client, uri, content, REQUESTS_PER_THREAD - WARM_UP_PER_THREAD, errors, checked);
                                await(meet);
                                await(meet);
                            }
                            return null;
                        }));
                    }
                    await(meet);
                    measured[0] = settled();
                    long runStart = System.nanoTime();
                    await(meet);
                    await(meet);
                    runNanos[0] = System.nanoTime() - runStart;
                    measured[1] = settled();
                    await(meet);
                    for (Future<?> worker : workers) {
                        worker.get();
                    }
                }, () -> "soak exceeded " + TIME_LIMIT + " after " + checked.get() + " checked responses");
            } finally {
                pool.shutdownNow();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            long total = (long) THREADS * REQUESTS_PER_THREAD;
            long logged = awaitLogged(nginx, total);
            ProcessResources warm = measured[0], end = measured[1];
            System.out.printf("SoakTest: %d requests by %d threads in %d ms (%.0f requests/s after warm-up); "
                            + "nginx logged %d; after warm-up %s; after the run %s%n", total, THREADS, took.toMillis(),
                    (total - (long) THREADS * WARM_UP_PER_THREAD) / (runNanos[0] / 1e9), logged, warm, end);

            assertThat(errors.size()).as("failed or wrong responses, the first: %s", errors.stream().limit(5).toList())
                    .isZero();
            assertThat(checked).as("responses checked").hasValue(total);
            assertThat(logged).as("requests in nginx's access log").isEqualTo(total);
            assertThat(end.fds()).as("open descriptors").isEqualTo(warm.fds());
            assertThat(end.rings()).as("io_uring rings").isEqualTo(warm.rings()).isEqualTo(THREADS);
            assertThat(end.ringMappings()).as("io_uring mappings").isEqualTo(warm.ringMappings());
            assertThat(end.nativeBlocks()).as("Arena allocations outstanding").isLessThanOrEqualTo(warm.nativeBlocks());
            assertThat(end.nativeKiB() - warm.nativeKiB()).as("Arena KiB growth").isLessThanOrEqualTo(MAX_ARENA_GROWTH_KIB);
            assertThat(end.nonHeapKiB() - warm.nonHeapKiB()).as("NMT non-heap committed KiB growth")
                    .isLessThanOrEqualTo(MAX_NON_HEAP_GROWTH_KIB);
            assertThat(end.rssKiB() - warm.rssKiB()).as("RSS KiB growth").isLessThanOrEqualTo(MAX_RSS_GROWTH_KIB);
        } finally {
            nginx.close();
        }
    }

    /** {@code count} GETs on {@code client}'s kept-alive connection, each body compared byte for byte. */
    private static void getAndCheck(HttpsClient client, URI uri, byte[] content, int count, Queue<String> errors,
                                    AtomicLong checked) {
        for (int i = 0; i < count; i++) {
            try {
                HttpResponse r = client.send(Request.get(uri));
                if (r.status() != 200 || r.body().length != content.length || !Arrays.equals(r.body(), content)) {
                    errors.add(r.statusLine() + ", " + r.body().length + " bytes, content "
                            + (Arrays.equals(r.body(), content) ? "equal" : "different"));
                }
            } catch (Exception e) {
                errors.add(e.toString());
            }
            checked.incrementAndGet();
        }
    }

    private static void await(CyclicBarrier barrier) throws Exception {
        barrier.await(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** After a GC, so that heap-held garbage (closed, unreachable objects) does not stand for native memory. */
    private static ProcessResources settled() throws Exception {
        System.gc();
        Thread.sleep(200);
        return ProcessResources.now();
    }

    /** nginx writes its log line once the response is out, possibly just after the client has read it. */
    private static long awaitLogged(NginxServer nginx, long expected) throws Exception {
        long logged = nginx.accessLogLines();
        for (int i = 0; i < 50 && logged < expected; i++) {
            Thread.sleep(100);
            logged = nginx.accessLogLines();
        }
        return logged;
    }
}
