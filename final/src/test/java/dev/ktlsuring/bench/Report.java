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
 * summary, a CSV of every run, and an SVG chart.
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
                    new Figure("CPU ms/conn", s -> s.cpu() / 1e3, "%.2f", true)));

    /**
     * A target from the project's benchmark goals: {@code client}'s figure divided by the
     * {@code reference} client's must be at least (rates) or at most (latency) {@code bound}.
     */
    record Target(String goal, Scenario scenario, String client, String reference, Figure figure, double bound,
                  boolean atLeast) {
    }

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

    /** The targets this run can judge: goal, ratio, and whether it is met. */
    List<String[]> targets() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"target", "ratio in this run", "met"});
        for (Target t : TARGETS) {
            Summary mine = summaries.get(t.scenario()).get(t.client());
            Summary theirs = summaries.get(t.scenario()).get(t.reference());
            if (mine == null || mine.runs.isEmpty() || theirs == null || theirs.runs.isEmpty()) {
                continue;
            }
            double r = t.figure().value().applyAsDouble(mine) / t.figure().value().applyAsDouble(theirs);
            boolean met = t.atLeast() ? r >= t.bound() : r <= t.bound();
            // Cold JVMs measure the JIT, not the client: a run without warm-up (CI's smoke run) is not judged.
            rows.add(new String[] {t.goal(), String.format(Locale.ROOT, "%.2f (%s %.1f)", r, t.atLeast() ? "≥" : "≤",
                    t.bound()), config.warmup() == 0 ? "not judged (no warm-up)" : met ? "yes" : "no"});
        }
        return rows;
    }

    private final Benchmark.Config config;
    private final Map<String, String> environment;
    private final List<String> clients;
    private final Map<String, String> skipped;
    private final Map<Scenario, Map<String, Summary>> summaries;

    Report(Benchmark.Config config, Map<String, String> environment, List<String> clients, Map<String, String> skipped,
           Map<Scenario, Map<String, Summary>> summaries) {
        this.config = config;
        this.environment = environment;
        this.clients = clients;
        this.skipped = skipped;
        this.summaries = summaries;
    }

    String title(Scenario s) {
        return switch (s) {
            case LARGE -> "Large download: " + config.sizeMib() + " MiB on a fresh connection, body discarded";
            case KEEPALIVE -> "Small requests on one kept-alive connection: " + config.requests() + " × 1 KiB per round";
            case NEWCONN -> "New connection per request (full TLS 1.3 handshake): " + config.connections() + " × 1 KiB per round";
        };
    }

    /** Header row and one row of cells per client. */
    private List<String[]> table(Scenario scenario) {
        List<String> header = new ArrayList<>(List.of("client"));
        for (Figure f : FIGURES.get(scenario)) {
            header.add(f.heading);
            if (f.ratios) {
                header.add("× JDK");
                header.add("× curl");
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(String[]::new));
        Map<String, Summary> byClient = summaries.get(scenario);
        for (String client : clients) {
            Summary s = byClient.get(client);
            if (s == null || s.runs.isEmpty()) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(client));
            for (Figure f : FIGURES.get(scenario)) {
                double v = f.value.applyAsDouble(s);
                row.add(String.format(Locale.ROOT, f.format, f.format.endsWith("%%") ? v * 100 : v));
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
        for (Scenario s : Scenario.values()) {
            List<String[]> rows = table(s);
            out.append('\n').append(title(s)).append('\n');
            int[] width = new int[rows.getFirst().length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    out.append(i == 0 ? String.format("  %-" + width[i] + "s", r[i]) : String.format("  %" + width[i] + "s", r[i]));
                }
                out.append('\n');
            }
        }
        out.append("\n× JDK, × curl: this figure divided by the JDK HttpClient's / curl's. Above 1 is better for "
                + "rates (MB/s, req/s, conn/s), worse for CPU and latency.\n");
        List<String[]> targets = targets();
        if (targets.size() > 1) {
            out.append("\nTargets\n");
            for (String[] t : targets.subList(1, targets.size())) {
                out.append(String.format(Locale.ROOT, "  %-72s %-16s %s%n", t[0], t[1], t[2]));
            }
        }
        return out.toString();
    }

    /** The AsciiDoc partial for the docs' performance chapter. */
    String asciidoc(String label, String chart) {
        var out = new StringBuilder();
        out.append("// Generated by final/bench (dev.ktlsuring.bench.Benchmark). Do not edit: run final/bench again.\n");
        out.append("[#bench-results-").append(label).append("]\n");
        out.append(".Where and how these figures were measured (").append(label).append(")\n");
        out.append("[cols=\"1,4\"]\n|===\n");
        environment.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(escape(v)).append('\n'));
        skipped.forEach((client, why) -> out.append("| skipped | ").append(client).append(": ").append(escape(why)).append('\n'));
        out.append("|===\n");
        for (Scenario s : Scenario.values()) {
            List<String[]> rows = table(s);
            int columns = rows.getFirst().length;
            out.append("\n.").append(title(s)).append('\n');
            out.append("[cols=\"2").append(",>1".repeat(columns - 1)).append("\",options=header]\n|===\n");
            for (String[] r : rows) {
                for (String cell : r) {
                    out.append("| ").append(escape(cell)).append(' ');
                }
                out.append('\n');
            }
            out.append("|===\n");
        }
        out.append("\n× JDK, × curl: the figure divided by the JDK HttpClient's or curl's in the same run. Above 1 is "
                + "better for rates (MB/s, req/s, conn/s) and worse for CPU and latency. _spread_: (max − min) / median "
                + "of the rounds. _sys_: the kernel's share of the client's CPU time.\n");
        List<String[]> targets = targets();
        if (targets.size() > 1) {
            out.append("\n.The project's targets, judged on this run (").append(label).append(")\n");
            out.append("[cols=\"4,>2,>1\",options=header]\n|===\n");
            for (String[] r : targets) {
                out.append("| ").append(escape(r[0])).append(" | ").append(escape(r[1])).append(" | ").append(r[2]).append('\n');
            }
            out.append("|===\n");
        }
        out.append("\nimage::").append(chart).append("[Rates and CPU efficiency relative to the JDK HttpClient (").append(label).append(")]\n");
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    /** One line per client and scenario. */
    String csv() {
        var out = new StringBuilder("scenario,client,rounds,rate,rate_unit,spread,cpu,cpu_unit,sys_share,p50_us,p99_us\n");
        for (Scenario s : Scenario.values()) {
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
        for (Scenario s : Scenario.values()) {
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
        List<Group> groups = List.of(
                new Group(Scenario.LARGE, "download MB/s", false),
                new Group(Scenario.KEEPALIVE, "keep-alive req/s", false),
                new Group(Scenario.NEWCONN, "new conn/s", false),
                new Group(Scenario.LARGE, "1 / (CPU per GB)", true),
                new Group(Scenario.KEEPALIVE, "1 / (CPU per req)", true),
                new Group(Scenario.NEWCONN, "1 / (CPU per conn)", true));
        // One colour per client, the same in every chart (a @base client shares its client's, lighter).
        Map<String, String> colourOf = Map.of("uring-ktls", "#1f77b4", "uring-userspace", "#2ca02c", "jdk", "#ff7f0e",
                "curl", "#7f7f7f");
        java.util.function.Function<String, String> colour = c -> c.endsWith("@base")
                ? (c.startsWith("uring-ktls") ? "#aec7e8" : "#98df8a") : colourOf.getOrDefault(c, "#9467bd");
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
        int separator = left + 3 * groupWidth;
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

    /** Writes perf/_results-LABEL.adoc, perf/results-LABEL.csv, perf/runs-LABEL.csv and images/perf-LABEL.svg under {@code out}. */
    List<Path> write(Path out, String label) throws IOException {
        Path perf = Files.createDirectories(out.resolve("perf"));
        Path images = Files.createDirectories(out.resolve("images"));
        String chart = "perf-" + label + ".svg";
        Path adoc = perf.resolve("_results-" + label + ".adoc"), csv = perf.resolve("results-" + label + ".csv"),
                runs = perf.resolve("runs-" + label + ".csv"), svg = images.resolve(chart);
        Files.writeString(adoc, asciidoc(label, chart));
        Files.writeString(csv, csv());
        Files.writeString(runs, runsCsv());
        Files.writeString(svg, svg(label));
        return List.of(adoc, csv, runs, svg);
    }
}
