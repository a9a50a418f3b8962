package dev.ktlsuring.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The cold scenario: what a user of the command line pays on every run. A fresh process per transfer,
 * from process start to exit: one GET of the 1 KiB file, and one download of the cold file
 * ({@code --cold-size}, 1 GiB by default), by
 * <ul>
 *   <li>{@code ktls-https}: this project's command line as a user runs it, {@code final/ktls-https}
 *       (the bash launcher, then {@code java -jar} with the ahead-of-time cache when it is current);</li>
 *   <li>{@code jdk}: {@link JdkGet}, a one-file {@code java.net.http.HttpClient} program, a fresh JVM
 *       with no options;</li>
 *   <li>{@code curl}.</li>
 * </ul>
 * Each writes the body to {@code /dev/null}; nginx's access log must show the run's one request
 * answered with 200 and every byte. Wall time: from starting the process to its exit, as the harness
 * sees it. CPU: the process's user + system time ({@code getrusage(RUSAGE_CHILDREN)} once it has been
 * waited for), all its threads, the launcher's bash included. One untimed round first (page cache,
 * and the launcher's check that the jar is built), then the measured rounds, the clients' order rotated
 * each round; figures are medians.
 */
final class ColdStart {

    /** The two transfers of the scenario. */
    enum Case {
        SMALL("small"), LARGE("large");

        final String word;

        Case(String word) {
            this.word = word;
        }
    }

    /** One client: its name in the tables, what it is, and the command for a URL. */
    record Client(String name, String description, java.util.function.Function<URI, List<String>> command) {
    }

    /** The runs of one client in one case. */
    record Runs(Case kase, String client, List<Measurement> runs) {

        double wallSeconds() {
            return Stats.median(runs.stream().map(m -> m.wallNanos() / 1e9).toList());
        }

        double cpuSeconds() {
            return Stats.median(runs.stream().map(m -> m.cpu().totalNanos() / 1e9).toList());
        }

        double userSeconds() {
            return Stats.median(runs.stream().map(m -> m.cpu().userNanos() / 1e9).toList());
        }

        double systemSeconds() {
            return Stats.median(runs.stream().map(m -> m.cpu().systemNanos() / 1e9).toList());
        }

        double spread() {
            return Stats.spread(runs.stream().map(m -> m.wallNanos() / 1e9).toList());
        }

        /** MB/s (10^6 bytes) over the whole process's wall time. */
        double rate() {
            return Stats.median(runs.stream().map(m -> m.bytes() * 1e3 / m.wallNanos()).toList());
        }
    }

    /** The clients, in the order of the tables ({@code ktls-https@base}: another checkout's, with {@code --baseline}). */
    static final List<String> CLIENTS = List.of("ktls-https", "ktls-https@base", "jdk", "curl");

    private final Benchmark.Config config;
    private final Path work;
    private final List<Client> clients;

    ColdStart(Benchmark.Config config, Path work, List<Client> clients) {
        this.config = config;
        this.work = work;
        this.clients = List.copyOf(clients);
    }

    /**
     * The scenario with its clients ({@link #CLIENTS}), each trusting the CA in {@code ca}; with
     * {@code --baseline DIR}, DIR's command line beside this one's, for a before and after in one run.
     */
    static ColdStart of(Benchmark.Config config, Path work, Path ca) throws IOException, InterruptedException {
        List<Client> clients = new ArrayList<>(List.of(ktlsHttps(config, ca)));
        if (config.baseline() != null) {
            Path launcher = config.baseline().resolve("final/ktls-https");
            clients.add(new Client("ktls-https@base", "the same command from " + config.baseline() + " ("
                    + Benchmark.code(config.baseline()) + ")",
                    uri -> List.of(launcher.toString(), "--cacert", ca.toString(), "-o", "/dev/null", uri.toString())));
        }
        clients.addAll(List.of(jdk(ca), curl(ca)));
        return new ColdStart(config, work, clients);
    }

    /** This project's command line, as a user runs it: the launcher. */
    static Client ktlsHttps(Benchmark.Config config, Path ca) throws IOException, InterruptedException {
        Path launcher = config.repo().resolve("final/ktls-https");
        return new Client("ktls-https", "final/ktls-https --cacert CA -o /dev/null URL: " + cache(config) + "; TLS records "
                + (Benchmark.ktlsUnavailable() == null ? "by the kernel (kTLS, --tls-mode auto)" : "in userspace (no kTLS here)")
                + "; JDK " + System.getProperty("java.vm.version"),
                uri -> List.of(launcher.toString(), "--cacert", ca.toString(), "-o", "/dev/null", uri.toString()));
    }

    /** {@link JdkGet} as a fresh JVM with no options. */
    static Client jdk(Path ca) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classes;
        try {
            classes = Path.of(JdkGet.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException("where is " + JdkGet.class.getName() + "? " + e.getMessage(), e);
        }
        return new Client("jdk", "java -cp CLASSES " + JdkGet.class.getName() + " CA URL /dev/null: java.net.http.HttpClient, "
                + "HTTP/1.1, SunJSSE, no JVM options; JDK " + System.getProperty("java.vm.version"),
                uri -> List.of(java.toString(), "-cp", classes, JdkGet.class.getName(), ca.toString(), uri.toString(),
                        "/dev/null"));
    }

    static Client curl(Path ca) throws IOException, InterruptedException {
        return new Client("curl", curlVersion() + ", curl --http1.1 --cacert CA -o /dev/null URL",
                uri -> List.of("curl", "--silent", "--show-error", "--fail", "--http1.1", "--cacert", ca.toString(),
                        "--output", "/dev/null", uri.toString()));
    }

    /** Whether the launcher will run the jar with its ahead-of-time cache, as it decides (final/ktls-https). */
    private static String cache(Benchmark.Config config) throws IOException, InterruptedException {
        Path target = config.repo().resolve("final/target");
        Path aot = target.resolve("ktls-https.aot"), stamp = target.resolve("ktls-https.aot.jdk");
        if (!Files.isRegularFile(aot) || !Files.isRegularFile(stamp)) {
            return "no ahead-of-time cache (final/target/ktls-https.aot is missing)";
        }
        Process p = new ProcessBuilder("bash", "-c", "source \"$1\"; ktls_aot_stamp \"$2\"; printf '%s\\n' \"$REPLY\"", "stamp",
                config.repo().resolve("final/src/build/java.sh").toString(), System.getProperty("java.home"))
                .redirectErrorStream(true).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        boolean current = expected.equals(Files.readString(stamp).strip())
                && Files.getLastModifiedTime(target.resolve("ktls-https.jar")).compareTo(Files.getLastModifiedTime(aot)) <= 0;
        return current ? "with its ahead-of-time cache (" + (Files.size(aot) >> 20) + " MiB)"
                : "WITHOUT its ahead-of-time cache (made for another JDK, other options or an older jar)";
    }

    private static String curlVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("curl");
        p.waitFor();
        String[] w = first.split(" ");
        return w.length > 1 ? w[0] + " " + w[1] : first;
    }

    /** The descriptions of the clients, for the environment table. */
    Map<String, String> descriptions() {
        Map<String, String> d = new LinkedHashMap<>();
        clients.forEach(c -> d.put(c.name(), c.description()));
        return d;
    }

    /**
     * Runs the scenario against {@code nginx}, whose root holds small.bin and cold.bin ({@code coldBytes}).
     *
     * @return the runs by case, then client
     */
    Map<Case, Map<String, Runs>> run(Nginx nginx, long coldBytes) throws IOException, InterruptedException {
        Map<Case, Map<String, Runs>> results = new LinkedHashMap<>();
        for (Case c : Case.values()) {
            Map<String, Runs> byClient = new LinkedHashMap<>();
            clients.forEach(client -> byClient.put(client.name(), new Runs(c, client.name(), new ArrayList<>())));
            results.put(c, byClient);
        }
        String base = "https://127.0.0.1:" + nginx.port();
        int serial = 0;
        for (Case c : Case.values()) {
            int rounds = c == Case.SMALL ? config.coldRounds() : config.coldLargeRounds();
            long bytes = c == Case.SMALL ? 1024 : coldBytes;
            for (int round = 0; round <= rounds; round++) {
                boolean measured = round > 0;
                List<Client> order = new ArrayList<>(clients);
                java.util.Collections.rotate(order, -round);
                for (Client client : order) {
                    String runId = "cold" + (++serial);
                    URI uri = URI.create(base + (c == Case.SMALL ? "/small.bin" : "/cold.bin") + "?run=" + runId);
                    Measurement m = once(client, uri, bytes);
                    Nginx.Served served = nginx.served(runId);
                    if (served.requests() != 1 || served.ok() != 1 || served.okBytes() != bytes) {
                        throw new IOException(client.name() + ": cold " + c.word + " run " + runId + ": nginx served "
                                + served + ", expected one request answered with 200 and " + bytes + " bytes");
                    }
                    Benchmark.log(String.format(Locale.ROOT, "%-13s cold %-5s %-10s %6.3f s wall  %6.3f s CPU",
                            measured ? "round " + round + "/" + rounds : "untimed", c.word, client.name(),
                            m.wallNanos() / 1e9, m.cpu().totalNanos() / 1e9));
                    if (measured) {
                        results.get(c).get(client.name()).runs().add(m);
                    }
                }
            }
        }
        return results;
    }

    /** One fresh process of {@code client} for {@code uri}: its wall time from start to exit, its CPU. */
    private Measurement once(Client client, URI uri, long bytes) throws IOException, InterruptedException {
        Path err = work.resolve("cold-" + client.name() + ".err");
        var builder = new ProcessBuilder(client.command().apply(uri)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        // The launcher runs the JDK this harness runs on, as the JDK client does.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        CpuTime before = CpuTime.children();
        long start = System.nanoTime();
        Process p = builder.start();
        int status = p.waitFor();
        long wall = System.nanoTime() - start;
        CpuTime cpu = CpuTime.children().minus(before);
        String stderr = Files.readString(err).strip();
        if (status != 0) {
            throw new IOException(client.name() + " exited with " + status + ": " + stderr);
        }
        if (stderr.contains("building")) {
            // The launcher built the jar inside a timed run: its time is the build's.
            throw new IOException(client.name() + ": " + stderr);
        }
        return new Measurement(wall, cpu, bytes, new long[0]);
    }

    // ---------------------------------------------------------------- the report

    /** A column of the cold table. */
    private record Figure(String heading, ToDoubleFunction<Runs> value, String format, boolean ratios) {
    }

    private static final List<Figure> FIGURES = List.of(
            new Figure("wall s", Runs::wallSeconds, "%.3f", true),
            new Figure("spread", Runs::spread, "%.0f%%", false),
            new Figure("CPU s", Runs::cpuSeconds, "%.3f", true),
            new Figure("user s", Runs::userSeconds, "%.3f", false),
            new Figure("sys s", Runs::systemSeconds, "%.3f", false));

    /** A target of the cold scenario: {@code figure} of ktls-https over {@code reference}'s at most {@code bound}. */
    record Target(String goal, Case kase, String reference, int figure, double bound) {
    }

    /** Issue 14's targets. */
    static List<Target> targets(int coldSizeMib) {
        String download = "Cold, one " + size(coldSizeMib) + " download: ";
        return List.of(
                new Target("Cold, one 1 KiB GET: wall time at most 0.25× the JDK HttpClient program's", Case.SMALL, "jdk", 0, 0.25),
                new Target(download + "wall time at most 1.2× curl's", Case.LARGE, "curl", 0, 1.2),
                new Target(download + "CPU time at most 2× curl's", Case.LARGE, "curl", 2, 2));
    }

    private static String size(int mib) {
        return mib % 1024 == 0 ? mib / 1024 + " GiB" : mib + " MiB";
    }

    /** The tables, the targets judged, and the files, of one run of the scenario. */
    static final class Report {

        private final Benchmark.Config config;
        private final Map<String, String> environment;
        private final Map<Case, Map<String, Runs>> results;

        Report(Benchmark.Config config, Map<String, String> environment, Map<Case, Map<String, Runs>> results) {
            this.config = config;
            this.environment = environment;
            this.results = results;
        }

        String title(Case c) {
            return c == Case.SMALL
                    ? "Cold: one GET of 1 KiB, a fresh process each (" + config.coldRounds() + " rounds)"
                    : "Cold: one download of " + size(config.coldSizeMib()) + ", a fresh process each ("
                    + config.coldLargeRounds() + " rounds)";
        }

        /** Header and one row per client: each figure, then its ratio to the JDK program's and to curl's. */
        List<String[]> table(Case c) {
            Map<String, Runs> byClient = results.get(c);
            List<String> header = new ArrayList<>(List.of("client"));
            for (Figure f : FIGURES) {
                header.add(f.heading());
                if (f.ratios()) {
                    header.add("× JDK");
                    header.add("× curl");
                }
            }
            if (c == Case.LARGE) {
                header.add("MB/s");
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(header.toArray(String[]::new));
            for (String client : CLIENTS) {
                Runs r = byClient.get(client);
                if (r == null || r.runs().isEmpty()) {
                    continue;
                }
                List<String> row = new ArrayList<>(List.of(client));
                for (Figure f : FIGURES) {
                    double v = f.value().applyAsDouble(r);
                    row.add(String.format(Locale.ROOT, f.format(), f.format().endsWith("%%") ? v * 100 : v));
                    if (f.ratios()) {
                        row.add(ratio(v, byClient.get("jdk"), f));
                        row.add(ratio(v, byClient.get("curl"), f));
                    }
                }
                if (c == Case.LARGE) {
                    row.add(String.format(Locale.ROOT, "%.0f", r.rate()));
                }
                rows.add(row.toArray(String[]::new));
            }
            return rows;
        }

        private static String ratio(double value, Runs reference, Figure f) {
            if (reference == null || reference.runs().isEmpty()) {
                return "–";
            }
            double r = value / f.value().applyAsDouble(reference);
            return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "–";
        }

        /** Target, ratio in this run, met: the targets this run can judge. */
        List<String[]> targets() {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"target", "ratio in this run", "met"});
            for (Target t : ColdStart.targets(config.coldSizeMib())) {
                Runs mine = results.get(t.kase()).get("ktls-https"), theirs = results.get(t.kase()).get(t.reference());
                if (mine == null || theirs == null || mine.runs().isEmpty() || theirs.runs().isEmpty()) {
                    continue;
                }
                Figure f = FIGURES.get(t.figure());
                double r = f.value().applyAsDouble(mine) / f.value().applyAsDouble(theirs);
                String judged = t.kase() == Case.LARGE && config.coldSizeMib() != 1024
                        ? "not judged (the target is for 1 GiB)" : r <= t.bound() ? "yes" : "no";
                rows.add(new String[] {t.goal(), String.format(Locale.ROOT, "%.2f (≤ %s)", r,
                        t.bound() == Math.rint(t.bound()) ? String.format(Locale.ROOT, "%.0f", t.bound())
                                : String.format(Locale.ROOT, "%.2f", t.bound()).replaceAll("0$", "")), judged});
            }
            return rows;
        }

        /** Plain text, for the terminal. */
        String text() {
            var out = new StringBuilder();
            environment.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-10s %s%n", k + ":", v)));
            for (Case c : results.keySet()) {
                out.append('\n').append(title(c)).append('\n');
                List<String[]> rows = table(c);
                int[] width = new int[rows.getFirst().length];
                rows.forEach(r -> {
                    for (int i = 0; i < r.length; i++) {
                        width[i] = Math.max(width[i], r[i].length());
                    }
                });
                for (String[] r : rows) {
                    for (int i = 0; i < r.length; i++) {
                        out.append(i == 0 ? String.format("  %-" + width[i] + "s", r[i]) : String.format("  %" + width[i] + "s", r[i]));
                    }
                    out.append('\n');
                }
            }
            out.append("\n× JDK, × curl: the figure divided by the JDK HttpClient program's / curl's in the same run "
                    + "(below 1: less time than theirs).\n");
            List<String[]> targets = targets();
            if (targets.size() > 1) {
                out.append("\nTargets (cold)\n");
                int width = targets.stream().mapToInt(t -> t[0].length()).max().orElse(72);
                for (String[] t : targets.subList(1, targets.size())) {
                    out.append(String.format(Locale.ROOT, "  %-" + width + "s %-14s %s%n", t[0], t[1], t[2]));
                }
            }
            return out.toString();
        }

        /** The AsciiDoc partial for the performance chapter. */
        String asciidoc(String label) {
            var out = new StringBuilder();
            out.append("// Generated by final/bench (dev.ktlsuring.bench.Benchmark). Do not edit: run final/bench again.\n");
            out.append("[#bench-cold-").append(label).append("]\n");
            out.append(".Where and how the cold figures were measured (").append(label).append(")\n");
            out.append("[cols=\"1,4\"]\n|===\n");
            environment.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append('\n'));
            out.append("|===\n");
            for (Case c : results.keySet()) {
                List<String[]> rows = table(c);
                out.append("\n.").append(title(c)).append('\n');
                out.append("[cols=\"2").append(",>1".repeat(rows.getFirst().length - 1)).append("\",options=header]\n|===\n");
                for (String[] r : rows) {
                    for (String cell : r) {
                        out.append("| ").append(cell).append(' ');
                    }
                    out.append('\n');
                }
                out.append("|===\n");
            }
            out.append("\n× JDK, × curl: the figure divided by the JDK HttpClient program's or curl's in the same run; "
                    + "below 1 is less time than theirs. _spread_: (max − min) / median of the rounds' wall times. "
                    + "_MB/s_: the bytes over the whole process's wall time, start-up included.\n");
            List<String[]> targets = targets();
            if (targets.size() > 1) {
                out.append("\n.The cold-start targets (issue 14), judged on this run (").append(label).append(")\n");
                out.append("[cols=\"4,>2,>1\",options=header]\n|===\n");
                for (String[] r : targets) {
                    out.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append('\n');
                }
                out.append("|===\n");
            }
            return out.toString();
        }

        /** The medians, one line per case and client. */
        String csv() {
            var out = new StringBuilder("case,client,rounds,bytes,wall_s,spread,cpu_s,user_s,sys_s\n");
            results.forEach((c, byClient) -> byClient.forEach((client, r) -> {
                if (!r.runs().isEmpty()) {
                    out.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.3f,%.4f,%.4f,%.4f%n", c.word, client,
                            r.runs().size(), r.runs().getFirst().bytes(), r.wallSeconds(), r.spread(), r.cpuSeconds(),
                            r.userSeconds(), r.systemSeconds()));
                }
            }));
            return out.toString();
        }

        /** Every measured run. */
        String runsCsv() {
            var out = new StringBuilder("case,client,run,wall_ns,user_ns,sys_ns,bytes\n");
            results.forEach((c, byClient) -> byClient.forEach((client, r) -> {
                for (int i = 0; i < r.runs().size(); i++) {
                    Measurement m = r.runs().get(i);
                    out.append(String.join(",", c.word, client, Integer.toString(i + 1), Long.toString(m.wallNanos()),
                            Long.toString(m.cpu().userNanos()), Long.toString(m.cpu().systemNanos()),
                            Long.toString(m.bytes()))).append('\n');
                }
            }));
            return out.toString();
        }

        /** Writes perf/_cold-LABEL.adoc, perf/cold-LABEL.csv and perf/cold-runs-LABEL.csv under {@code out}. */
        List<Path> write(Path out, String label) throws IOException {
            Path perf = Files.createDirectories(out.resolve("perf"));
            Path adoc = perf.resolve("_cold-" + label + ".adoc"), csv = perf.resolve("cold-" + label + ".csv"),
                    runs = perf.resolve("cold-runs-" + label + ".csv");
            Files.writeString(adoc, asciidoc(label));
            Files.writeString(csv, csv());
            Files.writeString(runs, runsCsv());
            return List.of(adoc, csv, runs);
        }
    }
}
