package dev.ktlsuring.bench;

import dev.ktlsuring.fallback.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The harness's arithmetic and plumbing, and its JVM clients against the harness's own nginx: what
 * {@code final/bench} measures must be the whole body, over the connections the scenario says.
 */
class BenchmarkTest {

    @Test
    void jvmClientsFetchWholeBodiesOverTheConnectionsEachScenarioSays(@TempDir Path dir) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        long large = 3L * 1024 * 1024 + 17;
        Benchmark.writeRandom(www.resolve("large.bin"), large);
        Benchmark.writeRandom(www.resolve("small.bin"), 1024);
        Pki pki = Pki.create(dir);
        try (Nginx nginx = Nginx.start(pki, www, dir.resolve("nginx"))) {
            String base = "https://127.0.0.1:" + nginx.port();
            List<Worker.Client> clients = List.of(new Worker.UringClient(pki.caPem(), TlsMode.USERSPACE),
                    new Worker.JdkClient(pki.caPem()));
            for (Worker.Client client : clients) {
                String name = client.getClass().getSimpleName();
                assertThat(client.download(URI.create(base + "/large.bin"))).as(name + " download").isEqualTo(large);
                for (boolean fresh : new boolean[] {false, true}) {
                    String run = name + "-" + fresh;
                    URI small = URI.create(base + "/small.bin?run=" + run);
                    try (Worker.Session session = client.session(fresh)) {
                        for (int i = 0; i < 5; i++) {
                            assertThat(session.get(small)).as(run + " body length").isEqualTo(1024);
                        }
                    }
                    int[] seen = nginx.requestsAndConnections(run);
                    assertThat(seen[0]).as(run + ": requests nginx served").isEqualTo(5);
                    assertThat(seen[1]).as(run + ": connections they came on").isEqualTo(fresh ? 5 : 1);
                }
            }
        }
    }

    @Test
    void concurrentRunsCheckEveryBodyAndStayWithinCConnections(@TempDir Path dir) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        long large = 1024L * 1024 + 5;
        Benchmark.writeRandom(www.resolve("large.bin"), large);
        Benchmark.writeRandom(www.resolve("small.bin"), 1024);
        assertThat(Files.readAllBytes(www.resolve("small.bin"))).isEqualTo(Benchmark.smallFile());
        byte[] other = Benchmark.smallFile();
        other[512] ^= 1;
        Files.write(www.resolve("other.bin"), other);
        Pki pki = Pki.create(dir);
        try (Nginx nginx = Nginx.start(pki, www, dir.resolve("nginx"))) {
            String base = "https://127.0.0.1:" + nginx.port();
            List<Worker.Client> clients = List.of(new Worker.UringClient(pki.caPem(), TlsMode.USERSPACE, 4),
                    new Worker.JdkClient(pki.caPem()));
            for (Worker.Client client : clients) {
                String name = client.getClass().getSimpleName();
                boolean ours = client instanceof Worker.UringClient;
                for (int round = 0; round < 2; round++) {
                    String run = name + "-c" + round;
                    Measurement m = Worker.concurrent(client, URI.create(base + "/small.bin?run=" + run), 4, 40);
                    assertThat(m.requests()).as(run).isEqualTo(40);
                    assertThat(m.latencyNanos()).as(run).hasSize(40);
                    assertThat(java.util.Arrays.stream(m.latencyNanos()).min().orElseThrow()).as(run + " latency").isPositive();
                    assertThat(m.bytes()).as(run).isEqualTo(40 * 1024);
                    int[] seen = nginx.requestsAndConnections(run);
                    assertThat(seen[0]).as(run + ": 4 untimed and 40 timed requests").isEqualTo(44);
                    assertThat(seen[1]).as(run + ": connections").isBetween(1, 4);
                    if (ours) {
                        // A request is at least a send and a receive (the loop's own wake-ups and timers are not
                        // counted as operations, but their io_uring_enter calls are).
                        assertThat(m.operations()).as(run + " ring operations").isGreaterThanOrEqualTo(80);
                        assertThat(m.enterCalls()).as(run + " io_uring_enter calls").isPositive();
                    } else {
                        assertThat(m.enterCalls()).isEqualTo(-1);
                    }
                }
                // A body that is not the file served fails the run, whatever its length.
                assertThatThrownBy(() -> Worker.concurrent(client, URI.create(base + "/other.bin?run=x"), 4, 8))
                        .as(name).hasMessageContaining("is not the 1024-byte file served");
                Measurement downloads = Worker.parallel(client, URI.create(base + "/large.bin"), Scenario.PARALLEL_DOWNLOADS);
                assertThat(downloads.bytes()).as(name + " downloads").isEqualTo(Scenario.PARALLEL_DOWNLOADS * large);
                assertThat(downloads.enterCalls() > 0).as(name + " ring counted").isEqualTo(ours);
            }

            Curl curl = new Curl(pki.caPem(), dir);
            Measurement m = curl.concurrent(URI.create(base + "/small.bin?run=curl"), 4, 40);
            assertThat(m.requests()).isEqualTo(40);
            assertThat(m.bytes()).isEqualTo(40 * 1024);
            // Only the transfers on connections curl had already opened are timed.
            assertThat(m.latencyNanos().length).isBetween(36, 39);
            assertThat(m.cpu().totalNanos()).isPositive();
            assertThat(Benchmark.verifyConcurrent(nginx, curl, "curl", 4, 40, m)).isBetween(1, 4);
            Measurement again = curl.concurrent(URI.create(base + "/small.bin?run=curl2"), 4, 40);
            assertThatThrownBy(() -> Benchmark.verifyConcurrent(nginx, curl, "curl2", 4, 41, again))
                    .hasMessageContaining("expected 41 × 1024");
            // --parallel-immediate: curl opens its 4 connections at once, more than a run at C = 1 may use.
            assertThat(again.latencyNanos()).as("transfers on connections already open").hasSize(36);
            assertThatThrownBy(() -> Benchmark.verifyConcurrent(nginx, curl, "curl2", 1, 40, again))
                    .hasMessageContaining("nginx saw 40 requests on 4 connections, expected 40 on 1 to 1");
            assertThat(curl.parallel(URI.create(base + "/large.bin"), 4).bytes()).isEqualTo(4 * large);
        }
    }

    @Test
    void mediansSpreadsAndPercentiles() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(Stats.spread(List.of(90.0, 100.0, 110.0))).isEqualTo(0.2);
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i;
        }
        assertThat(Stats.percentile(values, 50)).isEqualTo(50);
        assertThat(Stats.percentile(values, 99)).isEqualTo(99);
        assertThat(Stats.percentile(values, 100)).isEqualTo(100);
        assertThat(Stats.percentile(new long[] {7}, 99)).isEqualTo(7);
    }

    @Test
    void measurementsCrossTheWorkerPipeIntact() {
        var m = new Measurement(123_456_789L, new CpuTime(5_000, 7_000), 1L << 28, new long[] {10, 20, 30});
        var back = Measurement.decode(m.encode());
        assertThat(back.wallNanos()).isEqualTo(m.wallNanos());
        assertThat(back.cpu()).isEqualTo(m.cpu());
        assertThat(back.bytes()).isEqualTo(m.bytes());
        assertThat(back.latencyNanos()).containsExactly(10, 20, 30);
        assertThat(Measurement.decode(new Measurement(1, new CpuTime(0, 0), 2, new long[0]).encode()).latencyNanos()).isEmpty();
        var concurrent = Measurement.decode(new Measurement(5, new CpuTime(1, 2), 3072, new long[] {4, 5}, 3, 17, 40).encode());
        assertThat(concurrent.requests()).isEqualTo(3);
        assertThat(concurrent.latencyNanos()).containsExactly(4, 5);
        assertThat(concurrent.enterCalls()).isEqualTo(17);
        assertThat(concurrent.operations()).isEqualTo(40);
        // An older worker's reply (a --baseline build): every request timed, no ring counts.
        var old = Measurement.decode("ok 9 1 2 2048 7,8");
        assertThat(old.requests()).isEqualTo(2);
        assertThat(old.enterCalls()).isEqualTo(-1);
        assertThatThrownBy(() -> Measurement.decode("ok 9 1 2 2048 7,8 2 1")).hasMessageContaining("not a measurement");
    }

    @Test
    void cpuTimeOfThisProcessAdvances() {
        CpuTime before = CpuTime.self();
        long x = 0;
        for (long i = 0; i < 300_000_000L; i++) {
            x += i ^ (x >>> 3);
        }
        assertThat(x).isNotZero();
        assertThat(CpuTime.self().minus(before).totalNanos()).isPositive();
    }

    @Test
    void reportHasEveryFigureWithItsRatios(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var config = Benchmark.parse(new String[] {"--rounds", "1", "--warmup", "1", "--size", "1", "--requests", "2",
                "--connections", "2"});
        java.util.Map<Scenario, java.util.Map<String, Summary>> summaries = new java.util.EnumMap<>(Scenario.class);
        List<String> clients = List.of("uring-userspace", "jdk", "curl");
        for (Scenario s : Scenario.DEFAULT) {
            java.util.Map<String, Summary> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < clients.size(); i++) {
                Summary summary = new Summary(clients.get(i), s);
                long wall = 1_000_000_000L * (i + 1);
                summary.runs.add(s == Scenario.LARGE
                        ? new Measurement(wall, new CpuTime(wall / 2, wall / 4), 1L << 20, new long[0])
                        : new Measurement(wall, new CpuTime(wall / 2, wall / 4), 2048, new long[] {wall / 2, wall / 2}));
                m.put(clients.get(i), summary);
            }
            summaries.put(s, m);
        }
        var report = new Report(config, java.util.Map.of("machine", "test"), clients, java.util.Map.of("uring-ktls", "no kTLS"),
                summaries);
        // uring-userspace is twice as fast as jdk and three times as fast as curl in every scenario.
        assertThat(report.text()).contains("uring-userspace").contains("2.00").contains("3.00").contains("skipped");
        // Only the targets of the clients that ran are judged; kTLS's are absent here.
        assertThat(report.targets()).extracting(row -> String.join(" | ", row)).containsExactly(
                "target | ratio in this run | met",
                "Large download, userspace: at least 2× the JDK HttpClient's throughput | 2.00 (≥ 2.0) | yes",
                "Keep-alive, userspace: at least the JDK HttpClient's request rate | 2.00 (≥ 1.0) | yes",
                "Keep-alive, userspace: p99 latency within 1.5× curl's | 0.33 (≤ 1.5) | yes");
        var cold = Benchmark.parse(new String[] {"--rounds", "1", "--warmup", "0", "--size", "1", "--requests", "2",
                "--connections", "2"});
        var coldTargets = new Report(cold, java.util.Map.of("machine", "test"), clients, java.util.Map.of(), summaries).targets();
        assertThat(coldTargets.subList(1, coldTargets.size())).extracting(row -> row[2])
                .containsExactly("not judged (no warm-up)", "not judged (no warm-up)", "not judged (no warm-up)");
        var files = report.write(dir, "test");
        assertThat(files).allMatch(java.nio.file.Files::isRegularFile);
        assertThat(java.nio.file.Files.readString(files.getFirst())).contains("[#bench-results-test]", "image::perf-test.svg[");
        assertThat(java.nio.file.Files.readString(files.getLast())).startsWith("<svg").contains("2.00").endsWith("</svg>\n");
    }

    @Test
    void concurrencyTablesAndTargets(@TempDir Path dir) throws Exception {
        var config = Benchmark.parse(new String[] {"--rounds", "1", "--warmup", "1", "--scenarios", "concurrent,parallel",
                "--concurrency", "16,64", "--concurrent-requests", "1000"});
        List<String> clients = List.of("uring-userspace", "jdk", "curl");
        java.util.Map<Integer, java.util.Map<String, Summary>> concurrent = new java.util.LinkedHashMap<>();
        java.util.Map<String, Summary> parallel = new java.util.LinkedHashMap<>();
        for (int level : config.concurrency()) {
            java.util.Map<String, Summary> byClient = new java.util.LinkedHashMap<>();
            for (int i = 0; i < clients.size(); i++) {
                // uring-userspace: 1 s for 1000 requests, 100 µs CPU each, 200 io_uring_enter; jdk 5× slower and
                // 3× the CPU; curl 1.25× slower with the same CPU.
                long wall = new long[] {1_000_000_000L, 5_000_000_000L, 1_250_000_000L}[i];
                long cpu = new long[] {100_000_000L, 300_000_000L, 100_000_000L}[i];
                Summary s = new Summary(clients.get(i), Scenario.CONCURRENT);
                long[] latency = new long[1000];
                java.util.Arrays.fill(latency, 50_000L * (i + 1));
                s.runs.add(new Measurement(wall, new CpuTime(cpu / 2, cpu / 2), 1024 * 1000, latency, 1000,
                        i == 0 ? 200 : -1, i == 0 ? 2000 : -1));
                byClient.put(clients.get(i), s);
            }
            concurrent.put(level, byClient);
        }
        for (String client : clients) {
            Summary s = new Summary(client, Scenario.PARALLEL);
            s.runs.add(new Measurement(1_000_000_000L, new CpuTime(100_000_000L, 0), 4_000_000_000L, new long[0], 0,
                    client.startsWith("uring") ? 8000 : -1, -1));
            parallel.put(client, s);
        }
        // nginx: 2 s of CPU for the 1000 timed and 16 untimed requests of jdk's run at C = 16.
        concurrent.get(16).get("jdk").server.add(new long[] {2_000_000_000L, 1016});
        var report = new Report(config, java.util.Map.of("machine", "test", "method", "one at a time", "concurrency", "how"), clients,
                java.util.Map.of(), new java.util.EnumMap<>(Scenario.class), concurrent, parallel);
        String text = report.text();
        assertThat(text).contains("C requests at once over at most C kept-alive connections: 1000 × 1 KiB")
                .contains("4 downloads of the 256 MiB file at once");
        assertThat(text.lines().filter(l -> l.matches("\\s+(16|64)\\s+(uring-userspace|jdk|curl)\\s.*"))).hasSize(6);
        assertThat(text.lines().filter(l -> l.matches("\\s+16\\s+jdk\\s.*")).findFirst().orElseThrow()).endsWith(" 1968.5");
        assertThat(text.lines().filter(l -> l.matches("\\s+64\\s+uring-userspace\\s.*")).findFirst().orElseThrow())
                .contains("1000", "5.00", "1.25", "0.200", "2.00");
        assertThat(report.targets()).extracting(row -> String.join(" | ", row)).containsExactly(
                "target | ratio in this run | met",
                "Concurrency C = 64, userspace: at least curl's request rate | 1.25 (≥ 1.0) | yes",
                "Concurrency C = 64, userspace: at least 4× the JDK HttpClient's request rate | 5.00 (≥ 4.0) | yes",
                "Concurrency C = 64, userspace: CPU per request at most 0.5× the JDK HttpClient's | 0.33 (≤ 0.5) | yes",
                "Concurrency C = 64, userspace: at most 0.25 io_uring_enter calls per request | 0.20 (≤ 0.25) | yes");
        // One more io_uring_enter per request at C = 64 misses the last target.
        concurrent.get(64).get("uring-userspace").runs.set(0, new Measurement(1_000_000_000L, new CpuTime(0, 100_000_000L),
                1024 * 1000, new long[] {1}, 1000, 1200, 2000));
        assertThat(report.targets().getLast()).containsExactly(
                "Concurrency C = 64, userspace: at most 0.25 io_uring_enter calls per request", "1.20 (≤ 0.25)", "no");
        var files = report.write(dir, "test");
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("_concurrency-test.adoc",
                "concurrency-test.csv", "concurrency-runs-test.csv", "perf-concurrency-test.svg");
        String adoc = Files.readString(files.getFirst());
        assertThat(adoc).contains("[#bench-concurrency-test]", "| concurrency | how", "image::perf-concurrency-test.svg[",
                "| 64 | uring-userspace |").doesNotContain("| method |");
        assertThat(Files.readString(files.get(1)).lines()).hasSize(1 + 6 + 3)
                .contains("parallel,4,uring-userspace,1,4000.0,MB/s,0.000,0.025,cpu_s_per_GB,0.000,,,2.0000,,");
        assertThat(Files.readString(files.get(2)).lines()).hasSize(1 + 6 + 3);
        assertThat(Files.readString(files.getLast())).startsWith("<svg").contains("C = 64").endsWith("</svg>\n");
        assertThat(dir.resolve("perf/_results-test.adoc")).as("single-connection results left alone").doesNotExist();
    }

    // tag::ring-test[]
    @Test
    void everyRingVariantEchoesEveryExchangeAndLeavesNothingOpen() throws Exception {
        RingBench.run(RingBench.Variant.PLAIN, 200);          // classes loaded, libc symbols resolved
        long fds = openDescriptors(), mappings = ringMappings();
        for (RingBench.Variant v : RingBench.Variant.values()) {
            RingBench.Run r = RingBench.run(v, 3000);
            assertThat(r.exchanges()).isEqualTo(3000);
            assertThat(r.enterCalls()).as(v + ": io_uring_enter calls").isBetween(1L, 3000L * 2);
            assertThat(r.cpu().totalNanos()).as(v + ": process CPU").isPositive();
            assertThat(r.ringThreadNanos()).as(v + ": ring thread CPU").isPositive().isLessThanOrEqualTo(r.cpu().totalNanos() + 10_000_000L);
            if (v.multishot) {
                // One send per exchange; a receive entry only when one ended and was armed again.
                assertThat(r.entries()).as(v + ": entries").isEqualTo(3000 + r.rearms());
            } else {
                assertThat(r.rearms()).isZero();
                // A send and a receive per exchange, and one more receive for each echo that came in parts.
                assertThat(r.entries()).as(v + ": entries").isGreaterThanOrEqualTo(2 * 3000);
            }
        }
        assertThat(openDescriptors()).as("descriptors: rings, sockets, peer").isEqualTo(fds);
        assertThat(ringMappings()).as("ring mappings").isEqualTo(mappings);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("ring-bench-echo");
    }
    // end::ring-test[]

    @Test
    void ringReportWeighsEachSavingAgainstTheClientsCpuPerRequest(@TempDir Path dir) throws Exception {
        var config = Benchmark.parse(new String[] {"--rounds", "2", "--scenarios", "ring", "--ring-exchanges", "1000",
                "--label", "test"});
        Path csv = dir.resolve("concurrency-test.csv");
        Files.writeString(csv, """
                scenario,concurrency,client,rounds,rate,rate_unit,spread,cpu,cpu_unit,sys_share,p50_us,p99_us,io_uring_enter_per_unit,io_uring_ops_per_unit,nginx_cpu_per_unit
                concurrent,16,uring-userspace,7,12334.6,req/s,0.217,49.287,cpu_us_per_req,0.414,1185.2,3687.5,0.2881,2.0024,33.473
                concurrent,64,uring-userspace,7,11526.1,req/s,0.441,50.000,cpu_us_per_req,0.375,5585.5,17685.6,0.2628,2.0057,36.384
                concurrent,64,jdk,7,6668.6,req/s,0.278,114.189,cpu_us_per_req,0.467,8356.1,22761.2,,,39.872
                """);
        List<RingReport.ClientCost> costs = RingReport.clientCosts(csv);
        assertThat(costs).containsExactly(new RingReport.ClientCost("uring-userspace", 50.0, "concurrency-test.csv"));
        assertThat(RingReport.clientCosts(dir.resolve("missing.csv"))).isEmpty();

        // Per exchange, in two rounds: (a) 20 and 22 µs of CPU, (b) 19.5 and 21.9, (c) 17 and 20, (d) 16 and 19.
        java.util.Map<RingBench.Variant, List<RingBench.Run>> runs = new java.util.EnumMap<>(RingBench.Variant.class);
        double[][] micros = {{20, 22}, {19.5, 21.9}, {17, 20}, {16, 19}};
        for (RingBench.Variant v : RingBench.Variant.values()) {
            List<RingBench.Run> list = new java.util.ArrayList<>();
            for (double m : micros[v.ordinal()]) {
                long cpu = Math.round(m * 1000 * 1000);   // 1000 exchanges
                list.add(new RingBench.Run(v, 1000, 50_000_000L, new CpuTime(cpu - 1_000_000, 1_000_000), cpu / 2,
                        v.multishot ? 100 : 200, v.multishot ? 1000 : 2000, 0));
            }
            runs.put(v, list);
        }
        var report = new RingReport(config, java.util.Map.of("machine", "test"), runs, costs);
        assertThat(report.savedMicros(RingBench.Variant.FIXED)).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(report.savedMicros(RingBench.Variant.MULTISHOT)).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-9));
        List<String[]> table = report.table();
        assertThat(table).hasSize(5);
        assertThat(table.getFirst()).endsWith("saved µs/exchange", "saved: rounds' range", "of uring-userspace's 50.0 µs/req");
        assertThat(table.get(1)).containsExactly("(a) plain fd, one recv per message", "20000", "0%", "21.00", "1.00",
                "10.50", "1.00", "0.200", "2.00", "–", "–", "–");
        assertThat(table.get(4)).containsExactly("(d) multishot recv, provided buffers, registered files", "20000", "0%",
                "17.50", "0.83", "8.75", "0.83", "0.100", "1.00", "3.50", "3.00 to 4.00", "7.0%");
        assertThat(report.savings()).containsExactly(
                "(b) registered files: 0.30 µs per exchange (rounds: 0.10 to 0.50), 0.6% of uring-userspace's 50.0 CPU µs "
                        + "per request at C = 64 (below 5%)",
                "(c) multishot recv, provided buffers: 2.50 µs per exchange (rounds: 2.00 to 3.00), 5.0% of "
                        + "uring-userspace's 50.0 CPU µs per request at C = 64 (at least 5%)",
                "(d) multishot recv, provided buffers, registered files: 3.50 µs per exchange (rounds: 3.00 to 4.00), 7.0% "
                        + "of uring-userspace's 50.0 CPU µs per request at C = 64 (at least 5%)");
        assertThat(new RingReport(config, java.util.Map.of(), runs, List.of()).savings().getFirst())
                .startsWith("No committed concurrency results for label test");

        var files = report.write(dir, "test");
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("_ring-test.adoc", "ring-runs-test.csv");
        assertThat(Files.readString(files.getFirst())).contains("[#bench-ring-test]", "| machine | test",
                "1000 exchanges per variant and round", "* (c) multishot recv, provided buffers: 2.50 µs", "| 3.00 to 4.00 |");
        assertThat(Files.readString(files.getLast()).lines()).hasSize(1 + 4 * 2).contains("c,2,1000,50000000,19000000,1000000,10000000,100,1000,0");
    }

    private static long openDescriptors() throws java.io.IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long ringMappings() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("io_uring")).count();
    }

    @Test
    void optionsAndTheirChecks() {
        var c = Benchmark.parse(new String[] {"--rounds", "3", "--size", "8", "--clients", "jdk,curl", "--no-write"});
        assertThat(c.rounds()).isEqualTo(3);
        assertThat(c.sizeMib()).isEqualTo(8);
        assertThat(c.clients()).containsExactly("jdk", "curl");
        assertThat(c.write()).isFalse();
        assertThat(Benchmark.parse(new String[] {"--profile"}).profile()).isEqualTo("large:uring-userspace");
        assertThat(Benchmark.parse(new String[] {"--profile", "jdk"}).profile()).isEqualTo("large:jdk");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--clients", "wget"})).hasMessageContaining("unknown client");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--rounds", "0"})).hasMessageContaining("positive");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--bogus", "1"})).hasMessageContaining("unknown option");
        var d = Benchmark.parse(new String[0]);
        assertThat(d.scenarios()).containsExactly(Scenario.LARGE, Scenario.KEEPALIVE, Scenario.NEWCONN,
                Scenario.CONCURRENT, Scenario.PARALLEL).doesNotContain(Scenario.RING);
        assertThat(d.ringExchanges()).isEqualTo(200_000);
        var ring = Benchmark.parse(new String[] {"--scenarios", "ring", "--ring-exchanges", "500"});
        assertThat(ring.scenarios()).containsExactly(Scenario.RING);
        assertThat(ring.ringExchanges()).isEqualTo(500);
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--ring-exchanges", "0"})).hasMessageContaining("positive");
        assertThat(d.concurrency()).containsExactly(1, 16, 64, 256);
        assertThat(d.pool()).isEqualTo(256);
        var cc = Benchmark.parse(new String[] {"--scenarios", "concurrent", "--concurrency", "2", "--concurrent-requests", "50",
                "--strace"});
        assertThat(cc.scenarios()).containsExactly(Scenario.CONCURRENT);
        assertThat(cc.concurrency()).containsExactly(2);
        assertThat(cc.pool()).as("room for the downloads at once").isEqualTo(Scenario.PARALLEL_DOWNLOADS);
        assertThat(cc.concurrentRequests()).isEqualTo(50);
        assertThat(cc.strace()).isEqualTo("uring-userspace");
        assertThat(Benchmark.parse(new String[] {"--strace", "uring-ktls"}).strace()).isEqualTo("uring-ktls");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--strace", "jdk"})).hasMessageContaining("this project's client");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--scenarios", "bulk"})).hasMessageContaining("unknown scenario");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--concurrency", "16,0"})).hasMessageContaining("positive");
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--concurrent-requests", "x"})).hasMessageContaining("whole number");
    }
}
