package dev.ktlsuring.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One measured run: wall time, the client's CPU time, body bytes received, and for the request
 * scenarios each request's latency.
 */
record Measurement(long wallNanos, CpuTime cpu, long bytes, long[] latencyNanos) {

    /** The worker's reply line: {@code ok WALL USER SYS BYTES [LAT,LAT,...]}. */
    String encode() {
        String lat = latencyNanos.length == 0 ? "-"
                : Arrays.stream(latencyNanos).mapToObj(Long::toString).collect(Collectors.joining(","));
        return "ok " + wallNanos + " " + cpu.userNanos() + " " + cpu.systemNanos() + " " + bytes + " " + lat;
    }

    static Measurement decode(String line) {
        String[] w = line.split(" ");
        if (w.length != 6 || !w[0].equals("ok")) {
            throw new IllegalArgumentException("not a measurement: " + line);
        }
        long[] lat = w[5].equals("-") ? new long[0] : Arrays.stream(w[5].split(",")).mapToLong(Long::parseLong).toArray();
        return new Measurement(Long.parseLong(w[1]), new CpuTime(Long.parseLong(w[2]), Long.parseLong(w[3])),
                Long.parseLong(w[4]), lat);
    }
}
