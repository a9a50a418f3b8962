package dev.ktlsuring.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One measured run: wall time, the client's CPU time, body bytes received, the requests it made, the
 * latency of each timed request, and for this project's client its ring's {@code io_uring_enter}
 * calls and completed operations over the run ({@code -1}: not counted, another client).
 *
 * <p>For the single-connection scenarios every request is timed, so {@code requests} is the number of
 * latencies; curl's concurrent runs time only the requests on connections it had already opened.
 */
record Measurement(long wallNanos, CpuTime cpu, long bytes, long[] latencyNanos, int requests, long enterCalls,
                   long operations) {

    /** A run whose requests were all timed, with no ring to count. */
    Measurement(long wallNanos, CpuTime cpu, long bytes, long[] latencyNanos) {
        this(wallNanos, cpu, bytes, latencyNanos, latencyNanos.length, -1, -1);
    }

    /** The worker's reply line: {@code ok WALL USER SYS BYTES LAT,LAT,... REQUESTS ENTERS OPERATIONS}. */
    String encode() {
        String lat = latencyNanos.length == 0 ? "-"
                : Arrays.stream(latencyNanos).mapToObj(Long::toString).collect(Collectors.joining(","));
        return "ok " + wallNanos + " " + cpu.userNanos() + " " + cpu.systemNanos() + " " + bytes + " " + lat
                + " " + requests + " " + enterCalls + " " + operations;
    }

    /** A reply of {@link #encode()}, or of an older worker's (no last three fields: all requests timed, no ring counts). */
    static Measurement decode(String line) {
        String[] w = line.split(" ");
        if ((w.length != 6 && w.length != 9) || !w[0].equals("ok")) {
            throw new IllegalArgumentException("not a measurement: " + line);
        }
        long[] lat = w[5].equals("-") ? new long[0] : Arrays.stream(w[5].split(",")).mapToLong(Long::parseLong).toArray();
        var cpu = new CpuTime(Long.parseLong(w[2]), Long.parseLong(w[3]));
        if (w.length == 6) {
            return new Measurement(Long.parseLong(w[1]), cpu, Long.parseLong(w[4]), lat);
        }
        return new Measurement(Long.parseLong(w[1]), cpu, Long.parseLong(w[4]), lat, Integer.parseInt(w[6]),
                Long.parseLong(w[7]), Long.parseLong(w[8]));
    }
}
