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
        for (Scenario s : Scenario.values()) {
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
    }
}
