package dev.ktlsuring.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cold scenario's plumbing (fresh processes against the harness's nginx, each run checked in
 * nginx's log) and its report (ratios, the issue's targets judged). The command line's own client,
 * the launcher, is {@code LauncherTest}'s subject; here the JDK program and curl stand for the clients.
 */
class ColdStartTest {

    @Test
    void everyRunIsAFreshProcessWhoseTransferNginxConfirms(@TempDir Path dir) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        long coldBytes = 3L * 1024 * 1024 + 11;
        Benchmark.writeRandom(www.resolve("small.bin"), 1024);
        Benchmark.writeRandom(www.resolve("cold.bin"), coldBytes);
        Pki pki = Pki.create(dir);
        var config = Benchmark.parse(new String[] {"--scenarios", "cold", "--cold-rounds", "2", "--cold-large-rounds", "1"});
        try (Nginx nginx = Nginx.start(pki, www, dir.resolve("nginx"))) {
            var cold = new ColdStart(config, dir, List.of(ColdStart.jdk(pki.caPem()), ColdStart.curl(pki.caPem())));

            var results = cold.run(nginx, coldBytes);

            for (String client : List.of("jdk", "curl")) {
                var small = results.get(ColdStart.Case.SMALL).get(client);
                var large = results.get(ColdStart.Case.LARGE).get(client);
                assertThat(small.runs()).as(client).hasSize(2).allMatch(m -> m.bytes() == 1024 && m.wallNanos() > 0);
                assertThat(large.runs()).as(client).hasSize(1).allMatch(m -> m.bytes() == coldBytes);
                // A JVM's own CPU, as getrusage sees the child: far more than curl's.
                assertThat(small.cpuSeconds()).as(client).isPositive();
            }
            assertThat(results.get(ColdStart.Case.SMALL).get("jdk").cpuSeconds())
                    .isGreaterThan(results.get(ColdStart.Case.SMALL).get("curl").cpuSeconds());

            // A transfer nginx did not serve in full is an error, not a figure.
            var truncated = new ColdStart(config, dir, List.of(new ColdStart.Client("short", "a client that stops early",
                    uri -> List.of("curl", "--silent", "--cacert", pki.caPem().toString(), "--range", "0-99",
                            "--output", "/dev/null", uri.toString()))));
            assertThatThrownBy(() -> truncated.run(nginx, coldBytes)).hasMessageContaining("nginx served");
        }
    }

    @Test
    void theReportJudgesTheIssuesTargetsOnTheSameRunsRatios(@TempDir Path dir) throws Exception {
        var config = Benchmark.parse(new String[] {"--scenarios", "cold", "--cold-rounds", "1", "--cold-large-rounds", "1"});
        // ktls-https: 0.2 s for the GET (0.2× the JDK program's 1 s); 3 s wall and 4 s CPU for the
        // download (1.5× and 2× curl's 2 s).
        var results = results(new double[][] {{0.2, 0.3}, {1.0, 1.5}, {0.02, 0.02}},
                new double[][] {{3.0, 4.0}, {6.0, 8.0}, {2.0, 2.0}});

        var report = new ColdStart.Report(config, Map.of("machine", "test"), results);

        assertThat(report.targets()).extracting(row -> String.join(" | ", row)).containsExactly(
                "target | ratio in this run | met",
                "Cold, one 1 KiB GET: wall time at most 0.25× the JDK HttpClient program's | 0.20 (≤ 0.25) | yes",
                "Cold, one 1 GiB download: wall time at most 1.2× curl's | 1.50 (≤ 1.2) | no",
                "Cold, one 1 GiB download: CPU time at most 2× curl's | 2.00 (≤ 2) | yes");
        assertThat(report.text()).contains("ktls-https", "0.200", "0.20", "10.00", "1.50");
        var files = report.write(dir, "test");
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("_cold-test.adoc", "cold-test.csv", "cold-runs-test.csv");
        assertThat(Files.readString(files.getFirst())).contains("[#bench-cold-test]", "| no", "| yes");
        assertThat(Files.readAllLines(files.get(1))).hasSize(7);

        // Another download size: the download's targets, set for 1 GiB, are not judged.
        var small = Benchmark.parse(new String[] {"--scenarios", "cold", "--cold-size", "16"});
        assertThat(new ColdStart.Report(small, Map.of(), results).targets().subList(2, 4))
                .allMatch(row -> row[0].contains("16 MiB") && row[2].startsWith("not judged"));
    }

    @Test
    void coldIsAScenarioWordOfItsOwn() {
        var only = Benchmark.parse(new String[] {"--scenarios", "cold"});
        assertThat(only.cold()).isTrue();
        assertThat(only.scenarios()).isEmpty();
        var defaults = Benchmark.parse(new String[0]);
        assertThat(defaults.cold()).isTrue();
        assertThat(defaults.coldSizeMib()).isEqualTo(1024);
        assertThat(Benchmark.parse(new String[] {"--scenarios", "large"}).cold()).isFalse();
        assertThatThrownBy(() -> Benchmark.parse(new String[] {"--cold-size", "0"})).hasMessageContaining("positive");
    }

    /** Runs of ktls-https, jdk and curl, one each: {wall, CPU} seconds per client, small then large. */
    private static Map<ColdStart.Case, Map<String, ColdStart.Runs>> results(double[][] small, double[][] large) {
        Map<ColdStart.Case, Map<String, ColdStart.Runs>> results = new LinkedHashMap<>();
        for (ColdStart.Case c : ColdStart.Case.values()) {
            double[][] figures = c == ColdStart.Case.SMALL ? small : large;
            Map<String, ColdStart.Runs> byClient = new LinkedHashMap<>();
            List<String> clients = List.of("ktls-https", "jdk", "curl");
            for (int i = 0; i < clients.size(); i++) {
                long wall = Math.round(figures[i][0] * 1e9), cpu = Math.round(figures[i][1] * 1e9);
                List<Measurement> runs = new ArrayList<>(List.of(new Measurement(wall, new CpuTime(cpu * 3 / 4, cpu / 4),
                        c == ColdStart.Case.SMALL ? 1024 : 1L << 30, new long[0])));
                byClient.put(clients.get(i), new ColdStart.Runs(c, clients.get(i), runs));
            }
            results.put(c, byClient);
        }
        return results;
    }
}
