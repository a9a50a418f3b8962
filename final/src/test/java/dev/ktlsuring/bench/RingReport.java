package dev.ktlsuring.bench;

import dev.ktlsuring.bench.RingBench.Run;
import dev.ktlsuring.bench.RingBench.Variant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The ring scenario's results: one row per variant, each beside variant (a), today's way, and what
 * each would save per request of this client, judged against the client's CPU per request at
 * C = {@value #LEVEL} in the committed concurrency results. Printed, and written as
 * perf/_ring-LABEL.adoc (for the performance chapter) and perf/ring-runs-LABEL.csv (every round).
 */
final class RingReport {

    /** The concurrency level whose CPU per request a saving is measured against: the level of the targets. */
    static final int LEVEL = Report.TARGET_CONCURRENCY;
    /** A variant earns its place in the client if it saves at least this share of the client's CPU per request. */
    static final double KEEP_SHARE = 0.05;

    /** This client's CPU per request at C = {@value #LEVEL} in one mode, from perf/concurrency-LABEL.csv. */
    record ClientCost(String client, double cpuMicrosPerRequest, String source) {
    }

    private final Benchmark.Config config;
    private final Map<String, String> environment;
    private final Map<Variant, List<Run>> runs;
    private final List<ClientCost> clients;

    RingReport(Benchmark.Config config, Map<String, String> environment, Map<Variant, List<Run>> runs,
               List<ClientCost> clients) {
        this.config = config;
        this.environment = environment;
        this.runs = runs;
        this.clients = clients;
    }

    /**
     * This project's client's CPU per request at C = {@value #LEVEL}, each mode, from the committed
     * concurrency medians {@code csv} (the concurrent scenario's output); none if the file is missing.
     */
    static List<ClientCost> clientCosts(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.getFirst().split(","));
        int scenario = header.indexOf("scenario"), level = header.indexOf("concurrency"), client = header.indexOf("client"),
                cpu = header.indexOf("cpu");
        if (scenario < 0 || level < 0 || client < 0 || cpu < 0) {
            throw new IOException(csv + ": not the concurrency medians of final/bench (header " + lines.getFirst() + ")");
        }
        List<ClientCost> costs = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length == header.size() && f[scenario].equals(Scenario.CONCURRENT.word)
                    && f[level].equals(Integer.toString(LEVEL)) && f[client].startsWith("uring-") && !f[client].contains("@")) {
                costs.add(new ClientCost(f[client], Double.parseDouble(f[cpu]), csv.getFileName().toString()));
            }
        }
        return costs;
    }

    String title() {
        return "One ring, " + RingBench.CONNECTIONS + " TCP loopback connections, " + RingBench.MESSAGE
                + "-byte request/response exchanges with an echo peer: " + config.ringExchanges()
                + " exchanges per variant and round";
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        return Stats.median(runs.stream().map(value::applyAsDouble).toList());
    }

    /**
     * What variant {@code v} saves against (a) per exchange, in process CPU µs: the median over the
     * rounds of (a)'s figure minus {@code v}'s in the same round (the variants of a round ran side by
     * side, so a busy spell of the machine weighs on both).
     */
    double savedMicros(Variant v) {
        return Stats.median(differences(v));
    }

    /** (a)'s CPU per exchange minus {@code v}'s, round by round. */
    private List<Double> differences(Variant v) {
        List<Run> mine = runs.get(v), plain = runs.get(Variant.PLAIN);
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < Math.min(mine.size(), plain.size()); i++) {
            differences.add(plain.get(i).cpuMicrosPerExchange() - mine.get(i).cpuMicrosPerExchange());
        }
        return differences;
    }

    /** The smallest and the largest of the rounds' savings: how far the median can be trusted. */
    private String savedRange(Variant v) {
        List<Double> d = differences(v);
        if (d.isEmpty()) {
            return "–";
        }
        return fmt("%.2f", d.stream().mapToDouble(Double::doubleValue).min().orElseThrow()) + " to "
                + fmt("%.2f", d.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    /** Header row, then one row per variant that ran. */
    List<String[]> table() {
        List<String[]> rows = new ArrayList<>();
        ClientCost reference = clients.isEmpty() ? null : clients.getFirst();
        rows.add(new String[] {"variant", "exchanges/s", "spread", "CPU µs/exchange", "× (a)", "ring thread µs/exchange",
                "× (a)", "io_uring_enter/exchange", "entries/exchange", "saved µs/exchange", "saved: rounds' range",
                reference == null ? "of the client's CPU/req" : "of " + reference.client() + "'s " + fmt("%.1f",
                        reference.cpuMicrosPerRequest()) + " µs/req"});
        List<Run> plain = runs.get(Variant.PLAIN);
        for (Variant v : Variant.values()) {
            List<Run> r = runs.get(v);
            if (r == null || r.isEmpty()) {
                continue;
            }
            double cpu = median(r, Run::cpuMicrosPerExchange), thread = median(r, Run::ringThreadMicrosPerExchange);
            boolean base = v == Variant.PLAIN || plain == null || plain.isEmpty();
            double saved = base ? Double.NaN : savedMicros(v);
            rows.add(new String[] {v.label(), fmt("%.0f", median(r, Run::exchangesPerSecond)),
                    fmt("%.0f%%", 100 * Stats.spread(r.stream().map(Run::exchangesPerSecond).toList())),
                    fmt("%.2f", cpu), base ? "1.00" : fmt("%.2f", cpu / median(plain, Run::cpuMicrosPerExchange)),
                    fmt("%.2f", thread), base ? "1.00" : fmt("%.2f", thread / median(plain, Run::ringThreadMicrosPerExchange)),
                    fmt("%.3f", median(r, Run::enterCallsPerExchange)), fmt("%.2f", median(r, Run::entriesPerExchange)),
                    base ? "–" : fmt("%.2f", saved), base ? "–" : savedRange(v),
                    base || reference == null ? "–" : fmt("%.1f%%", 100 * saved / reference.cpuMicrosPerRequest())});
        }
        return rows;
    }

    /**
     * What each variant would save per request of this client, one sentence per variant and client
     * mode, with the verdict of the {@value #KEEP_SHARE} rule.
     */
    List<String> savings() {
        List<String> lines = new ArrayList<>();
        if (runs.getOrDefault(Variant.PLAIN, List.of()).isEmpty()) {
            return lines;
        }
        if (clients.isEmpty()) {
            lines.add("No committed concurrency results for label " + config.label() + " (perf/concurrency-"
                    + config.label() + ".csv) to weigh the savings against.");
            return lines;
        }
        for (Variant v : Variant.values()) {
            if (v == Variant.PLAIN || runs.getOrDefault(v, List.of()).isEmpty()) {
                continue;
            }
            double saved = savedMicros(v);
            List<String> against = new ArrayList<>();
            for (ClientCost c : clients) {
                double share = saved / c.cpuMicrosPerRequest();
                against.add(fmt("%.1f%%", 100 * share) + " of " + c.client() + "'s " + fmt("%.1f", c.cpuMicrosPerRequest())
                        + " CPU µs per request at C = " + LEVEL + " (" + (share >= KEEP_SHARE ? "at least" : "below")
                        + " " + fmt("%.0f%%", 100 * KEEP_SHARE) + ")");
            }
            lines.add(v.label() + ": " + fmt("%.2f", saved) + " µs per exchange (rounds: " + savedRange(v) + "), "
                    + String.join("; ", against));
        }
        return lines;
    }

    String text() {
        var out = new StringBuilder();
        environment.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-10s %s%n", k + ":", v)));
        out.append('\n').append(title()).append('\n');
        List<String[]> rows = table();
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
        List<String> savings = savings();
        if (!savings.isEmpty()) {
            out.append("\nWhat it would save per request (a request of the client: a send linked to a receive, as an exchange):\n");
            savings.forEach(l -> out.append("  ").append(l).append('\n'));
        }
        return out.toString();
    }

    /** The AsciiDoc partial for the performance chapter. */
    String asciidoc(String label) {
        var out = new StringBuilder();
        out.append("// Generated by final/bench (dev.ktlsuring.bench.Benchmark). Do not edit: run final/bench again.\n");
        out.append("[#bench-ring-").append(label).append("]\n");
        out.append(".Where and how the ring figures were measured (").append(label).append(")\n");
        out.append("[cols=\"1,4\"]\n|===\n");
        environment.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(escape(v)).append('\n'));
        out.append("|===\n");
        List<String[]> rows = table();
        out.append("\n.").append(title()).append('\n');
        out.append("[cols=\"3").append(",>1".repeat(rows.getFirst().length - 1)).append("\",options=header]\n|===\n");
        for (String[] r : rows) {
            for (String cell : r) {
                out.append("| ").append(escape(cell)).append(' ');
            }
            out.append('\n');
        }
        out.append("|===\n");
        out.append("\n_spread_: (max − min) / median of the rounds' exchanges/s. _× (a)_: the figure divided by (a)'s. "
                + "_entries/exchange_: submission entries per exchange. _saved_: the median over the rounds of (a)'s CPU "
                + "per exchange minus the variant's in the same round (_rounds' range_: the smallest and the largest of "
                + "those differences; negative: the variant used more); its share of this client's CPU per request at C = "
                + LEVEL + " is what the client would save if a request's receive were done that way.\n");
        List<String> savings = savings();
        if (!savings.isEmpty()) {
            out.append("\n.What it would save per request (").append(label).append(")\n");
            savings.forEach(l -> out.append("* ").append(escape(l)).append('\n'));
        }
        return out.toString();
    }

    /** Every measured run. */
    String runsCsv() {
        var out = new StringBuilder("variant,run,exchanges,wall_ns,user_ns,sys_ns,ring_thread_ns,io_uring_enter,entries,rearms\n");
        for (Variant v : Variant.values()) {
            List<Run> r = runs.getOrDefault(v, List.of());
            for (int i = 0; i < r.size(); i++) {
                Run m = r.get(i);
                out.append(String.join(",", v.letter, Integer.toString(i + 1), Integer.toString(m.exchanges()),
                        Long.toString(m.wallNanos()), Long.toString(m.cpu().userNanos()), Long.toString(m.cpu().systemNanos()),
                        Long.toString(m.ringThreadNanos()), Long.toString(m.enterCalls()), Long.toString(m.entries()),
                        Long.toString(m.rearms()))).append('\n');
            }
        }
        return out.toString();
    }

    /** Writes perf/_ring-LABEL.adoc and perf/ring-runs-LABEL.csv under {@code out}. */
    List<Path> write(Path out, String label) throws IOException {
        Path perf = Files.createDirectories(out.resolve("perf"));
        Path adoc = perf.resolve("_ring-" + label + ".adoc"), csv = perf.resolve("ring-runs-" + label + ".csv");
        Files.writeString(adoc, asciidoc(label));
        Files.writeString(csv, runsCsv());
        return List.of(adoc, csv);
    }

    private static String fmt(String format, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "–";
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
