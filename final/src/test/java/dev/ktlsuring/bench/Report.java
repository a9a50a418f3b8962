package dev.ktlsuring.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The results: one table per scenario, each figure followed by its ratio to the JDK HttpClient's and
 * to curl's; printed, and written as an AsciiDoc partial (for the docs' performance chapter), a CSV
 * summary, a CSV of every run, and an SVG chart. The concurrent scenarios (one row per client and
 * concurrency level, and the downloads at once) get files of their own, so that a run of only them, or
 * only the others, leaves the other files as they were.
 */
final class Report {

    /** A figure of a table: heading, unit, how to get it, how to print it. */
    record Figure(String heading, ToDoubleFunction<Summary> value, String format, boolean ratios) {
    }

    private static final Map<Scenario, List<Figure>> FIGURES = Map.of(
            Scenario.LARGE, List.of(
                    new Figure("MB/s", Summary::rate, "%.0f", true),
                    new Figure("spread", Summary::spread, "%.0f%%", false),
                    new Figure("CPU s/GB", Summary::cpu, "%.2f", true),
                    new Figure("sys", Summary::systemShare, "%.0f%%", false)),
            Scenario.KEEPALIVE, List.of(
                    new Figure("req/s", Summary::rate, "%.0f", true),
                    new Figure("spread", Summary::spread, "%.0f%%", false),
                    new Figure("p50 µs", s -> s.latencyMicros(50), "%.0f", true),
                    new Figure("p99 µs", s -> s.latencyMicros(99), "%.0f", true),
                    new Figure("CPU µs/req", Summary::cpu, "%.0f", true)),
            Scenario.NEWCONN, List.of(
                    new Figure("conn/s", Summary::rate, "%.0f", true),
                    new Figure("spread", Summary::spread, "%.0f%%", false),
                    new Figure("p50 ms", s -> s.latencyMicros(50) / 1e3, "%.2f", true),
                    new Figure("p99 ms", s -> s.latencyMicros(99) / 1e3, "%.2f", true),
                    new Figure("CPU ms/conn", s -> s.cpu() / 1e3, "%.2f", true)),
            Scenario.CONCURRENT, List.of(
                    new Figure("req/s", Summary::rate, "%.0f", true),
                    new Figure("spread", Summary::spread, "%.0f%%", false),
                    new Figure("p50 µs", s -> s.latencyMicros(50), "%.0f", true),
                    new Figure("p99 µs", s -> s.latencyMicros(99), "%.0f", true),
                    new Figure("CPU µs/req", Summary::cpu, "%.1f", true),
                    new Figure("io_uring_enter/req", Summary::enterCallsPerUnit, "%.3f", false),
                    new Figure("io_uring ops/req", Summary::operationsPerUnit, "%.2f", false),
                    new Figure("nginx CPU µs/req", Summary::serverCpu, "%.1f", false)),
            Scenario.PARALLEL, List.of(
                    new Figure("MB/s", Summary::rate, "%.0f", true),
                    new Figure("spread", Summary::spread, "%.0f%%", false),
                    new Figure("CPU s/GB", Summary::cpu, "%.2f", true),
                    new Figure("sys", Summary::systemShare, "%.0f%%", false),
                    new Figure("io_uring_enter/MB", Summary::enterCallsPerUnit, "%.2f", false),
                    new Figure("nginx CPU s/GB", Summary::serverCpu, "%.2f", false)));

    /** The figure of {@code scenario}'s table headed {@code heading}. */
    static Figure figure(Scenario scenario, String heading) {
        return FIGURES.get(scenario).stream().filter(f -> f.heading.equals(heading)).findFirst().orElseThrow();
    }

    /**
     * A target from the project's benchmark goals: {@code client}'s figure divided by the
     * {@code reference} client's must be at least (rates) or at most (latency) {@code bound}; with no
     * reference, the figure itself. {@code concurrency}: the level C of a {@link Scenario#CONCURRENT} target.
     */
    record Target(String goal, Scenario scenario, int concurrency, String client, String reference, Figure figure,
                  double bound, boolean atLeast) {

        Target(String goal, Scenario scenario, String client, String reference, Figure figure, double bound,
               boolean atLeast) {
            this(goal, scenario, 0, client, reference, figure, bound, atLeast);
        }

        boolean concurrent() {
            return scenario == Scenario.CONCURRENT || scenario == Scenario.PARALLEL;
        }
    }

    /** The level at which the concurrency targets are judged. */
    static final int TARGET_CONCURRENCY = 64;

    // tag::concurrency-targets[]
    /** The concurrency targets of this project's client in one TLS mode. */
    private static List<Target> concurrencyTargets(String client, String mode) {
        String at = "Concurrency C = " + TARGET_CONCURRENCY + ", " + mode + ": ";
        Scenario s = Scenario.CONCURRENT;
        int c = TARGET_CONCURRENCY;
        return List.of(
                new Target(at + "at least curl's request rate", s, c, client, "curl", figure(s, "req/s"), 1, true),
                new Target(at + "at least 4× the JDK HttpClient's request rate", s, c, client, "jdk", figure(s, "req/s"),
                        4, true),
                new Target(at + "CPU per request at most 0.5× the JDK HttpClient's", s, c, client, "jdk",
                        figure(s, "CPU µs/req"), 0.5, false),
                new Target(at + "at most 0.25 io_uring_enter calls per request", s, c, client, null,
                        figure(s, "io_uring_enter/req"), 0.25, false));
    }
    // end::concurrency-targets[]

    static final List<Target> TARGETS = List.of(
            new Target("Large download, kTLS: at least curl's throughput", Scenario.LARGE, "uring-ktls", "curl",
                    FIGURES.get(Scenario.LARGE).getFirst(), 1, true),
            new Target("Large download, kTLS: at least 3× the JDK HttpClient's throughput", Scenario.LARGE,
                    "uring-ktls", "jdk", FIGURES.get(Scenario.LARGE).getFirst(), 3, true),
            new Target("Large download, userspace: at least 2× the JDK HttpClient's throughput", Scenario.LARGE,
                    "uring-userspace", "jdk", FIGURES.get(Scenario.LARGE).getFirst(), 2, true),
            new Target("Keep-alive, kTLS: at least the JDK HttpClient's request rate", Scenario.KEEPALIVE,
                    "uring-ktls", "jdk", FIGURES.get(Scenario.KEEPALIVE).getFirst(), 1, true),
            new Target("Keep-alive, kTLS: p99 latency within 1.5× curl's", Scenario.KEEPALIVE, "uring-ktls", "curl",
                    FIGURES.get(Scenario.KEEPALIVE).get(3), 1.5, false),
            new Target("Keep-alive, userspace: at least the JDK HttpClient's request rate", Scenario.KEEPALIVE,
                    "uring-userspace", "jdk", FIGURES.get(Scenario.KEEPALIVE).getFirst(), 1, true),
            new Target("Keep-alive, userspace: p99 latency within 1.5× curl's", Scenario.KEEPALIVE, "uring-userspace",
                    "curl", FIGURES.get(Scenario.KEEPALIVE).get(3), 1.5, false));

    static final List<Target> CONCURRENCY_TARGETS = java.util.stream.Stream.concat(java.util.stream.Stream.concat(
            concurrencyTargets("uring-ktls", "kTLS").stream(), concurrencyTargets("uring-userspace", "userspace").stream()),
            java.util.stream.Stream.of(new Target("Concurrency C = " + TARGET_CONCURRENCY + ": kTLS at least userspace "
                    + "mode's request rate", Scenario.CONCURRENT, TARGET_CONCURRENCY, "uring-ktls", "uring-userspace",
                    figure(Scenario.CONCURRENT, "req/s"), 1, true))).toList();

    /** The targets this run can judge: goal, ratio, and whether it is met. */
    List<String[]> targets() {
        return targets(t -> true);
    }

    private List<String[]> targets(java.util.function.Predicate<Target> which) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"target", "ratio in this run", "met"});
        for (Target t : java.util.stream.Stream.concat(TARGETS.stream(), CONCURRENCY_TARGETS.stream()).filter(which).toList()) {
            Summary mine = summary(t.scenario(), t.concurrency(), t.client());
            Summary theirs = t.reference() == null ? null : summary(t.scenario(), t.concurrency(), t.reference());
            if (mine == null || mine.runs.isEmpty() || (t.reference() != null && (theirs == null || theirs.runs.isEmpty()))) {
                continue;
            }
            double r = t.figure().value().applyAsDouble(mine) / (theirs == null ? 1 : t.figure().value().applyAsDouble(theirs));
            if (!Double.isFinite(r)) {
                continue;
            }
            boolean met = t.atLeast() ? r >= t.bound() : r <= t.bound();
            String bound = String.format(Locale.ROOT, t.bound() * 10 == Math.rint(t.bound() * 10) ? "%.1f" : "%.2f", t.bound());
            // Cold JVMs measure the JIT, not the client: a run without warm-up (CI's smoke run) is not judged.
            rows.add(new String[] {t.goal(), String.format(Locale.ROOT, "%.2f (%s %s)", r, t.atLeast() ? "≥" : "≤",
                    bound), config.warmup() == 0 ? "not judged (no warm-up)" : met ? "yes" : "no"});
        }
        return rows;
    }

    private Summary summary(Scenario scenario, int concurrency, String client) {
        return switch (scenario) {
            case CONCURRENT -> concurrent.getOrDefault(concurrency, Map.of()).get(client);
            case PARALLEL -> parallel.get(client);
            default -> summaries.getOrDefault(scenario, Map.of()).get(client);
        };
    }

    private final Benchmark.Config config;
    private final Map<String, String> environment;
    private final List<String> clients;
    private final Map<String, String> skipped;
    private final Map<Scenario, Map<String, Summary>> summaries;
    private final Map<Integer, Map<String, Summary>> concurrent;
    private final Map<String, Summary> parallel;

    Report(Benchmark.Config config, Map<String, String> environment, List<String> clients, Map<String, String> skipped,
           Map<Scenario, Map<String, Summary>> summaries) {
        this(config, environment, clients, skipped, summaries, Map.of(), Map.of());
    }

    /**
     * @param summaries  the single-connection scenarios that ran, by client
     * @param concurrent the concurrent scenario by level C, then client (empty if it did not run)
     * @param parallel   the downloads at once, by client (empty if they did not run)
     */
    Report(Benchmark.Config config, Map<String, String> environment, List<String> clients, Map<String, String> skipped,
           Map<Scenario, Map<String, Summary>> summaries, Map<Integer, Map<String, Summary>> concurrent,
           Map<String, Summary> parallel) {
        this.config = config;
        this.environment = environment;
        this.clients = clients;
        this.skipped = skipped;
        this.summaries = summaries;
        this.concurrent = concurrent;
        this.parallel = parallel;
    }

    private boolean hasConcurrency() {
        return !concurrent.isEmpty() || !parallel.isEmpty();
    }

    String title(Scenario s) {
        return switch (s) {
            case LARGE -> "Large download: " + config.sizeMib() + " MiB on a fresh connection, body discarded";
            case KEEPALIVE -> "Small requests on one kept-alive connection: " + config.requests() + " × 1 KiB per round";
            case NEWCONN -> "New connection per request (full TLS 1.3 handshake): " + config.connections() + " × 1 KiB per round";
            case CONCURRENT -> "C requests at once over at most C kept-alive connections: " + config.concurrentRequests()
                    + " × 1 KiB per round and level";
            case PARALLEL -> Scenario.PARALLEL_DOWNLOADS + " downloads of the " + config.sizeMib()
                    + " MiB file at once, bodies discarded (all bytes over the wall time)";
            case RING -> "One ring, " + RingBench.CONNECTIONS + " connections, 1 KiB exchanges (see perf/_ring-LABEL.adoc)";
        };
    }

    /** Header row and one row of cells per client. */
    private List<String[]> table(Scenario scenario) {
        return table(scenario, scenario == Scenario.PARALLEL ? parallel : summaries.get(scenario), null);
    }

    /** The concurrent scenario: header row, then one row per level C and client. */
    private List<String[]> concurrencyTable() {
        List<String[]> rows = new ArrayList<>();
        concurrent.forEach((level, byClient) -> {
            List<String[]> table = table(Scenario.CONCURRENT, byClient, Integer.toString(level));
            rows.addAll(rows.isEmpty() ? table : table.subList(1, table.size()));
        });
        return rows;
    }

    /** Header row and one row per client of {@code byClient}, after a first column {@code level} unless null. */
    private List<String[]> table(Scenario scenario, Map<String, Summary> byClient, String level) {
        List<String> header = new ArrayList<>(level == null ? List.of("client") : List.of("C", "client"));
        for (Figure f : FIGURES.get(scenario)) {
            header.add(f.heading);
            if (f.ratios) {
                header.add("× JDK");
                header.add("× curl");
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(String[]::new));
        for (String client : clients) {
            Summary s = byClient.get(client);
            if (s == null || s.runs.isEmpty()) {
                continue;
            }
            List<String> row = new ArrayList<>(level == null ? List.of(client) : List.of(level, client));
            for (Figure f : FIGURES.get(scenario)) {
                double v = f.value.applyAsDouble(s);
                row.add(Double.isFinite(v) ? String.format(Locale.ROOT, f.format, f.format.endsWith("%%") ? v * 100 : v) : "–");
                if (f.ratios) {
                    row.add(ratio(v, byClient.get("jdk"), f));
                    row.add(ratio(v, byClient.get("curl"), f));
                }
            }
            rows.add(row.toArray(String[]::new));
        }
        return rows;
    }

    private static String ratio(double value, Summary reference, Figure f) {
        if (reference == null || reference.runs.isEmpty()) {
            return "–";
        }
        double r = value / f.value.applyAsDouble(reference);
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "–";
    }

    /** Plain text, for the terminal. */
    String text() {
        var out = new StringBuilder();
        environment.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-10s %s%n", k + ":", v)));
        skipped.forEach((client, why) -> out.append("skipped:   ").append(client).append(": ").append(why).append('\n'));
        for (Scenario s : summaries.keySet()) {
            out.append('\n').append(title(s)).append('\n');
            appendText(out, table(s), 1);
        }
        if (!concurrent.isEmpty()) {
            out.append('\n').append(title(Scenario.CONCURRENT)).append('\n');
            appendText(out, concurrencyTable(), 2);
        }
        if (!parallel.isEmpty()) {
            out.append('\n').append(title(Scenario.PARALLEL)).append('\n');
            appendText(out, table(Scenario.PARALLEL), 1);
        }
        out.append("\n× JDK, × curl: this figure divided by the JDK HttpClient's / curl's. Above 1 is better for "
                + "rates (MB/s, req/s, conn/s), worse for CPU and latency.\n");
        List<String[]> targets = targets();
        if (targets.size() > 1) {
            out.append("\nTargets\n");
            int width = targets.stream().mapToInt(t -> t[0].length()).max().orElse(72);
            for (String[] t : targets.subList(1, targets.size())) {
                out.append(String.format(Locale.ROOT, "  %-" + width + "s %-16s %s%n", t[0], t[1], t[2]));
            }
        }
        return out.toString();
    }

    /** A table as aligned columns: the first {@code leftAligned} to the left, the others to the right. */
    private static void appendText(StringBuilder out, List<String[]> rows, int leftAligned) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(i < leftAligned ? String.format("  %-" + width[i] + "s", r[i]) : String.format("  %" + width[i] + "s", r[i]));
            }
            out.append('\n');
        }
    }

    /** The AsciiDoc partial for the docs' performance chapter. */
    String asciidoc(String label, String chart) {
        var out = new StringBuilder();
        out.append("// Generated by final/bench (dev.ktlsuring.bench.Benchmark). Do not edit: run final/bench again.\n");
        out.append("[#bench-results-").append(label).append("]\n");
        out.append(".Where and how these figures were measured (").append(label).append(")\n");
        appendEnvironment(out, "concurrency");
        for (Scenario s : summaries.keySet()) {
            appendAsciidoc(out, title(s), table(s), 1);
        }
        out.append("\n× JDK, × curl: the figure divided by the JDK HttpClient's or curl's in the same run. Above 1 is "
                + "better for rates (MB/s, req/s, conn/s) and worse for CPU and latency. _spread_: (max − min) / median "
                + "of the rounds. _sys_: the kernel's share of the client's CPU time.\n");
        appendTargets(out, label, targets(t -> !t.concurrent()));
        out.append("\nimage::").append(chart).append("[Rates and CPU efficiency relative to the JDK HttpClient (").append(label).append(")]\n");
        return out.toString();
    }

    /** The AsciiDoc partial of the concurrent scenarios. */
    String concurrencyAsciidoc(String label, String chart) {
        var out = new StringBuilder();
        out.append("// Generated by final/bench (dev.ktlsuring.bench.Benchmark). Do not edit: run final/bench again.\n");
        out.append("[#bench-concurrency-").append(label).append("]\n");
        out.append(".Where and how the concurrency figures were measured (").append(label).append(")\n");
        appendEnvironment(out, "method");
        if (!concurrent.isEmpty()) {
            appendAsciidoc(out, title(Scenario.CONCURRENT), concurrencyTable(), 2);
        }
        if (!parallel.isEmpty()) {
            appendAsciidoc(out, title(Scenario.PARALLEL), table(Scenario.PARALLEL), 1);
        }
        out.append("\n× JDK, × curl: the figure divided by the JDK HttpClient's or curl's in the same run. Above 1 is "
                + "better for rates (req/s, MB/s) and worse for CPU and latency. _spread_: (max − min) / median of the "
                + "rounds. _io_uring_enter/req_, _io_uring ops/req_: this client's ring's own counts of its system calls "
                + "and completed operations over the timed requests, per request (per MB for the downloads); – for "
                + "clients without a ring. _nginx CPU_: the server's, over the client's run, per request it served "
                + "(per GB for the downloads).\n");
        appendTargets(out, label, targets(Target::concurrent));
        if (!concurrent.isEmpty()) {
            out.append("\nimage::").append(chart).append("[Requests per second and CPU per request by concurrency (")
                    .append(label).append(")]\n");
        }
        return out.toString();
    }

    private void appendEnvironment(StringBuilder out, String leaveOut) {
        out.append("[cols=\"1,4\"]\n|===\n");
        environment.forEach((k, v) -> {
            if (!k.equals(leaveOut)) {
                out.append("| ").append(k).append(" | ").append(escape(v)).append('\n');
            }
        });
        skipped.forEach((client, why) -> out.append("| skipped | ").append(client).append(": ").append(escape(why)).append('\n'));
        out.append("|===\n");
    }

    private static void appendAsciidoc(StringBuilder out, String title, List<String[]> rows, int leading) {
        int columns = rows.getFirst().length;
        out.append("\n.").append(title).append('\n');
        out.append("[cols=\"").append(leading == 2 ? "1,2" : "2").append(",>1".repeat(columns - leading))
                .append("\",options=header]\n|===\n");
        for (String[] r : rows) {
            for (String cell : r) {
                out.append("| ").append(escape(cell)).append(' ');
            }
            out.append('\n');
        }
        out.append("|===\n");
    }

    private static void appendTargets(StringBuilder out, String label, List<String[]> targets) {
        if (targets.size() > 1) {
            out.append("\n.The project's targets, judged on this run (").append(label).append(")\n");
            out.append("[cols=\"4,>2,>1\",options=header]\n|===\n");
            for (String[] r : targets) {
                out.append("| ").append(escape(r[0])).append(" | ").append(escape(r[1])).append(" | ").append(r[2]).append('\n');
            }
            out.append("|===\n");
        }
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    /** One line per client and scenario. */
    String csv() {
        var out = new StringBuilder("scenario,client,rounds,rate,rate_unit,spread,cpu,cpu_unit,sys_share,p50_us,p99_us\n");
        for (Scenario s : summaries.keySet()) {
            for (String client : clients) {
                Summary m = summaries.get(s).get(client);
                if (m == null || m.runs.isEmpty()) {
                    continue;
                }
                boolean large = s == Scenario.LARGE;
                out.append(String.format(Locale.ROOT, "%s,%s,%d,%.1f,%s,%.3f,%.3f,%s,%.3f,%s,%s%n", s.word, client,
                        m.runs.size(), m.rate(), large ? "MB/s" : "req/s", m.spread(), m.cpu(),
                        large ? "cpu_s_per_GB" : "cpu_us_per_req", m.systemShare(),
                        large ? "" : String.format(Locale.ROOT, "%.1f", m.latencyMicros(50)),
                        large ? "" : String.format(Locale.ROOT, "%.1f", m.latencyMicros(99))));
            }
        }
        return out.toString();
    }

    /** Every measured run. */
    String runsCsv() {
        var out = new StringBuilder("scenario,client,run,wall_ns,user_ns,sys_ns,bytes,requests\n");
        for (Scenario s : summaries.keySet()) {
            for (String client : clients) {
                Summary m = summaries.get(s).get(client);
                if (m == null) {
                    continue;
                }
                for (int i = 0; i < m.runs.size(); i++) {
                    Measurement r = m.runs.get(i);
                    out.append(String.join(",", s.word, client, Integer.toString(i + 1), Long.toString(r.wallNanos()),
                            Long.toString(r.cpu().userNanos()), Long.toString(r.cpu().systemNanos()),
                            Long.toString(r.bytes()), Integer.toString(r.latencyNanos().length))).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** The concurrent scenarios' medians: one line per level and client, then one per client for the downloads. */
    String concurrencyCsv() {
        var out = new StringBuilder("scenario,concurrency,client,rounds,rate,rate_unit,spread,cpu,cpu_unit,sys_share,"
                + "p50_us,p99_us,io_uring_enter_per_unit,io_uring_ops_per_unit,nginx_cpu_per_unit\n");
        Map<Integer, Map<String, Summary>> all = new java.util.LinkedHashMap<>(concurrent);
        for (var level : all.entrySet()) {
            for (String client : clients) {
                concurrencyCsvLine(out, level.getKey(), level.getValue().get(client));
            }
        }
        for (String client : clients) {
            concurrencyCsvLine(out, Scenario.PARALLEL_DOWNLOADS, parallel.get(client));
        }
        return out.toString();
    }

    private static void concurrencyCsvLine(StringBuilder out, int level, Summary m) {
        if (m == null || m.runs.isEmpty()) {
            return;
        }
        boolean download = m.scenario.download();
        out.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%.1f,%s,%.3f,%.3f,%s,%.3f,%s,%s,%s,%s,%s%n", m.scenario.word, level,
                m.client, m.runs.size(), m.rate(), download ? "MB/s" : "req/s", m.spread(), m.cpu(),
                download ? "cpu_s_per_GB" : "cpu_us_per_req", m.systemShare(),
                download ? "" : String.format(Locale.ROOT, "%.1f", m.latencyMicros(50)),
                download ? "" : String.format(Locale.ROOT, "%.1f", m.latencyMicros(99)),
                Double.isFinite(m.enterCallsPerUnit()) ? String.format(Locale.ROOT, "%.4f", m.enterCallsPerUnit()) : "",
                Double.isFinite(m.operationsPerUnit()) ? String.format(Locale.ROOT, "%.4f", m.operationsPerUnit()) : "",
                Double.isFinite(m.serverCpu()) ? String.format(Locale.ROOT, "%.3f", m.serverCpu()) : ""));
    }

    /** Every measured run of the concurrent scenarios. */
    String concurrencyRunsCsv() {
        var out = new StringBuilder("scenario,concurrency,client,run,wall_ns,user_ns,sys_ns,bytes,requests,timed_requests,"
                + "io_uring_enter,io_uring_ops,nginx_cpu_ns,nginx_requests\n");
        List<Map.Entry<Integer, Summary>> all = new ArrayList<>();
        concurrent.forEach((level, byClient) -> clients.forEach(c -> {
            if (byClient.get(c) != null) {
                all.add(Map.entry(level, byClient.get(c)));
            }
        }));
        clients.forEach(c -> {
            if (parallel.get(c) != null) {
                all.add(Map.entry(Scenario.PARALLEL_DOWNLOADS, parallel.get(c)));
            }
        });
        for (var e : all) {
            Summary m = e.getValue();
            for (int i = 0; i < m.runs.size(); i++) {
                Measurement r = m.runs.get(i);
                out.append(String.join(",", m.scenario.word, Integer.toString(e.getKey()), m.client,
                        Integer.toString(i + 1), Long.toString(r.wallNanos()), Long.toString(r.cpu().userNanos()),
                        Long.toString(r.cpu().systemNanos()), Long.toString(r.bytes()), Integer.toString(r.requests()),
                        Integer.toString(r.latencyNanos().length), Long.toString(r.enterCalls()),
                        Long.toString(r.operations()), i < m.server.size() ? Long.toString(m.server.get(i)[0]) : "",
                        i < m.server.size() ? Long.toString(m.server.get(i)[1]) : "")).append('\n');
            }
        }
        return out.toString();
    }

    /** One group of bars in the chart: a scenario's figure, as "higher is better" relative to the JDK client. */
    private record Group(Scenario scenario, String name, boolean cpu) {
        double relative(Summary client, Summary jdk) {
            return cpu ? jdk.cpu() / client.cpu() : client.rate() / jdk.rate();
        }
    }

    /**
     * Grouped bars relative to the JDK HttpClient (= 1): each client's rate in each scenario, then its
     * CPU efficiency (the JDK client's CPU per unit divided by this client's), so higher is better throughout.
     */
    String svg(String label) {
        List<Group> groups = java.util.stream.Stream.of(
                new Group(Scenario.LARGE, "download MB/s", false),
                new Group(Scenario.KEEPALIVE, "keep-alive req/s", false),
                new Group(Scenario.NEWCONN, "new conn/s", false),
                new Group(Scenario.LARGE, "1 / (CPU per GB)", true),
                new Group(Scenario.KEEPALIVE, "1 / (CPU per req)", true),
                new Group(Scenario.NEWCONN, "1 / (CPU per conn)", true)).filter(g -> summaries.containsKey(g.scenario)).toList();
        java.util.function.Function<String, String> colour = Report::colour;
        List<String> present = clients.stream().filter(c -> summaries.values().stream()
                .anyMatch(m -> m.get(c) != null && !m.get(c).runs.isEmpty())).toList();
        double max = 1;
        for (Group g : groups) {
            Summary jdk = summaries.get(g.scenario).get("jdk");
            for (String c : present) {
                Summary m = summaries.get(g.scenario).get(c);
                if (jdk != null && m != null && !m.runs.isEmpty() && !jdk.runs.isEmpty()) {
                    max = Math.max(max, g.relative(m, jdk));
                }
            }
        }
        max = Math.ceil(max * 2) / 2;
        int left = 50, top = 50, plot = 260, bar = 26, groupWidth = Math.max(130, present.size() * bar + 30);
        int width = left + groups.size() * groupWidth + 20;
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, top + plot + 80));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Relative to "
                + "the JDK HttpClient (= 1), higher is better</text>%n<text x=\"%d\" y=\"34\" font-size=\"11\">left: rates; "
                + "right: CPU efficiency (the JDK client's CPU per unit / the client's); %s, median of %d rounds</text>%n",
                left, left, label, config.rounds()));
        double step = max > 8 ? 2 : max > 4 ? 1 : 0.5;
        for (double t = 0; t <= max + 1e-9; t += step) {
            double y = top + plot - t / max * plot;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n", left, width - 20, y, y,
                    Math.abs(t - 1) < 1e-9 ? "#000" : "#ddd", left - 6, y + 4, t));
        }
        int separator = left + groups.size() / 2 * groupWidth;
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\" "
                + "stroke-dasharray=\"4 3\"/>%n", separator, separator, top - 10, top + plot + 25));
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            Summary jdk = summaries.get(group.scenario).get("jdk");
            int x0 = left + g * groupWidth + (groupWidth - present.size() * bar) / 2;
            for (int i = 0; i < present.size(); i++) {
                String c = present.get(i);
                Summary m = summaries.get(group.scenario).get(c);
                if (jdk == null || m == null || m.runs.isEmpty() || jdk.runs.isEmpty()) {
                    continue;
                }
                double r = group.relative(m, jdk);
                double h = r / max * plot;
                int x = x0 + i * bar;
                out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%.2f</text>%n",
                        x, top + plot - h, bar - 3, h, colour.apply(c), x + (bar - 3) / 2.0, top + plot - h - 3, r));
            }
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    left + g * groupWidth + groupWidth / 2, top + plot + 18, group.name));
        }
        int lx = left;
        for (int i = 0; i < present.size(); i++) {
            String c = present.get(i);
            out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, top + plot + 40, colour.apply(c),
                    lx + 16, top + plot + 50, c));
            lx += 30 + 8 * c.length();
        }
        out.append("</svg>\n");
        return out.toString();
    }

    /**
     * Writes, under {@code out}: for the single-connection scenarios, if they ran, perf/_results-LABEL.adoc,
     * perf/results-LABEL.csv, perf/runs-LABEL.csv and images/perf-LABEL.svg; for the concurrent ones, if
     * they ran, perf/_concurrency-LABEL.adoc, perf/concurrency-LABEL.csv, perf/concurrency-runs-LABEL.csv
     * and images/perf-concurrency-LABEL.svg.
     */
    List<Path> write(Path out, String label) throws IOException {
        Path perf = Files.createDirectories(out.resolve("perf"));
        Path images = Files.createDirectories(out.resolve("images"));
        List<Path> written = new ArrayList<>();
        if (!summaries.isEmpty()) {
            String chart = "perf-" + label + ".svg";
            Path adoc = perf.resolve("_results-" + label + ".adoc"), csv = perf.resolve("results-" + label + ".csv"),
                    runs = perf.resolve("runs-" + label + ".csv"), svg = images.resolve(chart);
            Files.writeString(adoc, asciidoc(label, chart));
            Files.writeString(csv, csv());
            Files.writeString(runs, runsCsv());
            Files.writeString(svg, svg(label));
            written.addAll(List.of(adoc, csv, runs, svg));
        }
        if (hasConcurrency()) {
            String chart = "perf-concurrency-" + label + ".svg";
            Path adoc = perf.resolve("_concurrency-" + label + ".adoc"), csv = perf.resolve("concurrency-" + label + ".csv"),
                    runs = perf.resolve("concurrency-runs-" + label + ".csv"), svg = images.resolve(chart);
            Files.writeString(adoc, concurrencyAsciidoc(label, chart));
            Files.writeString(csv, concurrencyCsv());
            Files.writeString(runs, concurrencyRunsCsv());
            Files.writeString(svg, concurrencySvg(label));
            written.addAll(List.of(adoc, csv, runs, svg));
        }
        return written;
    }

    /** One colour per client, the same in every chart (a @base client shares its client's, lighter). */
    private static String colour(String client) {
        if (client.endsWith("@base")) {
            return client.startsWith("uring-ktls") ? "#aec7e8" : "#98df8a";
        }
        return switch (client) {
            case "uring-ktls" -> "#1f77b4";
            case "uring-userspace" -> "#2ca02c";
            case "jdk" -> "#ff7f0e";
            case "curl" -> "#7f7f7f";
            default -> "#9467bd";
        };
    }

    /**
     * Two panels of bars grouped by concurrency C, one bar per client: requests per second (higher is
     * better) and CPU microseconds per request (lower is better), each bar labelled with its value.
     */
    String concurrencySvg(String label) {
        List<String> present = clients.stream().filter(c -> concurrent.values().stream()
                .anyMatch(m -> m.get(c) != null && !m.get(c).runs.isEmpty())).toList();
        List<Integer> levels = new ArrayList<>(concurrent.keySet());
        int bar = 22, groupWidth = Math.max(60, present.size() * bar + 24), plot = 240, top = 90, left = 60, gap = 80;
        int panelWidth = levels.size() * groupWidth;
        int width = left + 2 * panelWidth + gap + 20;
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, top + plot + 80));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">C requests "
                + "at once, 1 KiB each</text>%n<text x=\"%d\" y=\"34\" font-size=\"11\">%s, median of %d rounds; "
                + "%d requests per run</text>%n", left, left, label, config.rounds(), config.concurrentRequests()));
        panel(out, left, top, plot, groupWidth, bar, "requests per second (higher is better)", levels, present,
                Summary::rate);
        panel(out, left + panelWidth + gap, top, plot, groupWidth, bar, "CPU µs per request (lower is better)", levels,
                present, Summary::cpu);
        int lx = left;
        for (String c : present) {
            out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, top + plot + 45, colour(c), lx + 16, top + plot + 55, c));
            lx += 30 + 8 * c.length();
        }
        out.append("</svg>\n");
        return out.toString();
    }

    private void panel(StringBuilder out, int x0, int top, int plot, int groupWidth, int bar, String title,
                       List<Integer> levels, List<String> present, ToDoubleFunction<Summary> value) {
        double max = 0;
        for (int level : levels) {
            for (String c : present) {
                Summary s = concurrent.get(level).get(c);
                if (s != null && !s.runs.isEmpty() && Double.isFinite(value.applyAsDouble(s))) {
                    max = Math.max(max, value.applyAsDouble(s));
                }
            }
        }
        // Room above the tallest bar for its label, written upwards.
        double step = niceStep(max * 1.15 / 5);
        double axis = Math.max(step, Math.ceil(max * 1.15 / step) * step);
        int panelWidth = levels.size() * groupWidth;
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", x0, top - 28, title));
        for (double t = 0; t <= axis + step / 2; t += step) {
            double y = top + plot - t / axis * plot;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x0, x0 + panelWidth, y, y,
                    t == 0 ? "#000" : "#ddd", x0 - 6, y + 4, compact(t)));
        }
        for (int g = 0; g < levels.size(); g++) {
            int level = levels.get(g);
            int gx = x0 + g * groupWidth + (groupWidth - present.size() * bar) / 2;
            for (int i = 0; i < present.size(); i++) {
                Summary s = concurrent.get(level).get(present.get(i));
                if (s == null || s.runs.isEmpty() || !Double.isFinite(value.applyAsDouble(s))) {
                    continue;
                }
                double v = value.applyAsDouble(s);
                double h = v / axis * plot;
                double x = gx + i * bar, cx = x + (bar - 3) / 2.0, y = top + plot - h;
                out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
                        x, y, bar - 3, h, colour(present.get(i)), cx + 3, y - 3, cx + 3, y - 3, compact(v)));
            }
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">C = %d</text>%n",
                    x0 + g * groupWidth + groupWidth / 2, top + plot + 18, level));
        }
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** 1234 -> 1234, 12345 -> 12.3k, 2.5 -> 2.5. */
    private static String compact(double v) {
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1000).replace(".0k", "k");
        }
        if (v >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
