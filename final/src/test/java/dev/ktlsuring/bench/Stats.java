package dev.ktlsuring.bench;

import java.util.Arrays;
import java.util.List;

/** Medians, spreads and nearest-rank percentiles. */
final class Stats {

    private Stats() {
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** (max - min) / median: how much the rounds disagreed. */
    static double spread(List<Double> values) {
        if (values.size() < 2) {
            return 0;
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return (max - min) / median(values);
    }

    /** The nearest-rank {@code p}-th percentile (0 < p <= 100) of {@code values}. */
    static long percentile(long[] values, double p) {
        if (values.length == 0) {
            return -1;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
