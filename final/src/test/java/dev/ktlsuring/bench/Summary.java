package dev.ktlsuring.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * The measured runs of one client in one scenario (and concurrency level), reduced to the figures in
 * the table. Rates and per-unit CPU are medians over the rounds; latency percentiles are over all
 * measured requests of all rounds together.
 */
final class Summary {

    final String client;
    final Scenario scenario;
    final List<Measurement> runs = new ArrayList<>();
    /** For the concurrent scenarios, per run as {@link #runs}: nginx's CPU nanoseconds over the run, and the requests it served. */
    final List<long[]> server = new ArrayList<>();

    Summary(String client, Scenario scenario) {
        this.client = client;
        this.scenario = scenario;
    }

    /** MB/s (10^6 bytes) for the downloads, requests/s otherwise, per round. */
    List<Double> rates() {
        return runs.stream().map(m -> scenario.download()
                ? m.bytes() * 1e3 / m.wallNanos()
                : m.requests() * 1e9 / m.wallNanos()).toList();
    }

    double rate() {
        return Stats.median(rates());
    }

    double spread() {
        return Stats.spread(rates());
    }

    /** CPU seconds per GB (10^9 bytes) for the downloads; CPU microseconds per request otherwise. */
    double cpu() {
        return Stats.median(runs.stream().map(m -> scenario.download()
                ? (double) m.cpu().totalNanos() / m.bytes()
                : m.cpu().totalNanos() / 1e3 / m.requests()).toList());
    }

    /** The system (kernel) part of {@link #cpu()}, as a fraction. */
    double systemShare() {
        return Stats.median(runs.stream().map(m -> (double) m.cpu().systemNanos() / Math.max(1, m.cpu().totalNanos())).toList());
    }

    /** Latency percentile in microseconds over all measured requests. */
    double latencyMicros(double p) {
        long[] all = runs.stream().flatMapToLong(m -> LongStream.of(m.latencyNanos())).toArray();
        return Stats.percentile(all, p) / 1e3;
    }

    /**
     * nginx's CPU per request it served (microseconds; untimed requests included), or per GB downloaded
     * (seconds); NaN if not measured.
     */
    double serverCpu() {
        if (server.isEmpty()) {
            return Double.NaN;
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < server.size(); i++) {
            long[] s = server.get(i);
            values.add(scenario.download() ? (double) s[0] / runs.get(i).bytes() : s[0] / 1e3 / s[1]);
        }
        return Stats.median(values);
    }

    /** The ring's {@code io_uring_enter} calls per request (per MB for the downloads); NaN for a client without a ring. */
    double enterCallsPerUnit() {
        return perUnit(Measurement::enterCalls);
    }

    /** The ring's completed operations per request (per MB for the downloads); NaN for a client without a ring. */
    double operationsPerUnit() {
        return perUnit(Measurement::operations);
    }

    private double perUnit(ToDoubleFunction<Measurement> count) {
        if (runs.isEmpty() || runs.stream().anyMatch(m -> count.applyAsDouble(m) < 0)) {
            return Double.NaN;
        }
        return Stats.median(runs.stream().map(m -> count.applyAsDouble(m)
                / (scenario.download() ? m.bytes() / 1e6 : m.requests())).toList());
    }
}
