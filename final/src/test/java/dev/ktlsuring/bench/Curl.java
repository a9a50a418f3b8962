package dev.ktlsuring.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * curl, the command: a new process per run. Times are curl's own per-transfer {@code time_total}
 * (connect and handshake included, process start-up not); CPU is the process's whole user + system
 * time from {@code getrusage(RUSAGE_CHILDREN)} once it has been waited for, start-up included.
 *
 * <p>The request scenarios are one curl invocation with N + 1 URLs (from a {@code -K} config file):
 * curl keeps the connection alive between them, or, with {@code Connection: close} and
 * {@code --no-sessionid}, makes a new connection with a full handshake for each. The first transfer
 * is untimed, as for the JVM clients.
 *
 * <p>The concurrent scenarios are one invocation too, with {@code --parallel --parallel-max C
 * --parallel-immediate} (C connections opened at once rather than one first to see whether it
 * multiplexes, which HTTP/1.1 cannot): N URLs from a {@code -K} file, or the K downloads. Their wall
 * time is the process's and, as for the others, CPU is the process's: both include start-up and the
 * TLS handshakes of the connections curl opens, which a JVM client has opened before its timed
 * requests. So the latency percentiles leave out the transfers that opened a connection.
 */
final class Curl implements Contender {

    private static final String FORMAT = "%{http_code} %{size_download} %{time_total} %{num_connects}\\n";

    private final Path ca, work;
    private final String version;

    Curl(Path ca, Path work) throws IOException, InterruptedException {
        this.ca = ca;
        this.work = work;
        Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("curl --version failed: " + out);
        }
        String first = out.lines().findFirst().orElse("curl");
        // "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 ..." -> curl 7.88.1, OpenSSL/3.0.19
        String[] w = first.split(" ");
        String tls = java.util.Arrays.stream(w).filter(s -> s.startsWith("OpenSSL/") || s.startsWith("GnuTLS/")
                || s.startsWith("wolfSSL/") || s.startsWith("BoringSSL") || s.startsWith("LibreSSL/")).findFirst().orElse("");
        this.version = w[0] + " " + w[1] + (tls.isEmpty() ? "" : " (" + tls + ")");
    }

    @Override
    public String name() {
        return "curl";
    }

    @Override
    public String description() {
        return version + ", --http1.1";
    }

    @Override
    public Measurement run(Scenario scenario, URI uri, int n) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--http1.1",
                "--cacert", ca.toString(), "--write-out", FORMAT));
        int transfers;
        if (scenario == Scenario.LARGE) {
            command.addAll(List.of("--output", "/dev/null", uri.toString()));
            transfers = 1;
        } else {
            Path config = work.resolve("curl-" + scenario.word + ".conf");
            var lines = new StringBuilder();
            for (int i = 0; i <= n; i++) {
                lines.append("url = \"").append(uri).append("\"\noutput = \"/dev/null\"\n");
            }
            Files.writeString(config, lines);
            command.addAll(List.of("--config", config.toString()));
            if (scenario == Scenario.NEWCONN) {
                command.addAll(List.of("--header", "Connection: close", "--no-sessionid"));
            }
            transfers = n + 1;
        }
        CpuTime before = CpuTime.children();
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        CpuTime cpu = CpuTime.children().minus(before);
        if (status != 0) {
            throw new IOException("curl exited with " + status + ": " + err.strip());
        }
        List<String> lines = out.lines().toList();
        if (lines.size() != transfers) {
            throw new IOException("curl reported " + lines.size() + " transfers, expected " + transfers);
        }
        long wall = 0, bytes = 0;
        long[] latency = new long[scenario == Scenario.LARGE ? 0 : n];
        for (int i = 0; i < transfers; i++) {
            String[] w = lines.get(i).split(" ");
            if (!w[0].equals("200")) {
                throw new IOException("curl: HTTP " + w[0] + " for " + uri);
            }
            int connects = Integer.parseInt(w[3]);
            if (i > 0 && scenario == Scenario.KEEPALIVE && connects != 0) {
                throw new IOException("curl opened a new connection for keep-alive request " + i);
            }
            if (scenario == Scenario.NEWCONN && connects != 1) {
                throw new IOException("curl reused a connection for new-connection request " + i);
            }
            long nanos = Math.round(Double.parseDouble(w[2]) * 1e9);
            if (scenario == Scenario.LARGE) {
                wall = nanos;
                bytes = Long.parseLong(w[1]);
            } else if (i > 0) {
                latency[i - 1] = nanos;
                wall += nanos;
                bytes += Long.parseLong(w[1]);
            }
        }
        return new Measurement(wall, cpu, bytes, latency);
    }

    /** curl's limit for {@code --parallel-max}. */
    static final int PARALLEL_MAX = 300;

    @Override
    public Measurement concurrent(URI uri, int c, int n) throws IOException, InterruptedException {
        if (c > PARALLEL_MAX) {
            throw new IOException("curl runs at most " + PARALLEL_MAX + " transfers at once (--parallel-max), not " + c);
        }
        Path config = work.resolve("curl-concurrent.conf");
        var lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append("url = \"").append(uri).append("\"\noutput = \"/dev/null\"\n");
        }
        Files.writeString(config, lines);
        Run run = exec(parallel(c, "--config", config.toString()));
        if (run.lines.size() != n) {
            throw new IOException("curl reported " + run.lines.size() + " transfers, expected " + n);
        }
        long bytes = 0;
        int connects = 0;
        long[] latency = new long[n];
        int timed = 0;
        for (String line : run.lines) {
            String[] w = line.split(" ");
            if (!w[0].equals("200") || !w[1].equals("1024")) {
                throw new IOException("curl: HTTP " + w[0] + " with " + w[1] + " bytes for " + uri);
            }
            bytes += Long.parseLong(w[1]);
            if (Integer.parseInt(w[3]) > 0) {
                connects += Integer.parseInt(w[3]);
            } else {
                latency[timed++] = Math.round(Double.parseDouble(w[2]) * 1e9);
            }
        }
        if (connects > c) {
            throw new IOException("curl opened " + connects + " connections for " + c + " transfers at once");
        }
        return new Measurement(run.wallNanos, run.cpu, bytes, java.util.Arrays.copyOf(latency, timed), n, -1, -1);
    }

    @Override
    public int untimedRequests(int c) {
        return 0;
    }

    @Override
    public Measurement parallel(URI uri, int k) throws IOException, InterruptedException {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            urls.addAll(List.of("--output", "/dev/null", uri.toString()));
        }
        Run run = exec(parallel(k, urls.toArray(String[]::new)));
        if (run.lines.size() != k) {
            throw new IOException("curl reported " + run.lines.size() + " transfers, expected " + k);
        }
        long bytes = 0;
        for (String line : run.lines) {
            String[] w = line.split(" ");
            if (!w[0].equals("200")) {
                throw new IOException("curl: HTTP " + w[0] + " for " + uri);
            }
            bytes += Long.parseLong(w[1]);
        }
        return new Measurement(run.wallNanos, run.cpu, bytes, new long[0], 0, -1, -1);
    }

    private List<String> parallel(int c, String... rest) {
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--http1.1",
                "--cacert", ca.toString(), "--write-out", FORMAT, "--parallel", "--parallel-max", Integer.toString(c),
                "--parallel-immediate"));
        command.addAll(List.of(rest));
        return command;
    }

    /** One curl process: its per-transfer lines, its wall time from start to exit, its CPU. */
    private record Run(List<String> lines, long wallNanos, CpuTime cpu) {
    }

    private static Run exec(List<String> command) throws IOException, InterruptedException {
        CpuTime before = CpuTime.children();
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).start();
        var err = new java.io.ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the exit status says what went wrong
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        long wall = System.nanoTime() - start;
        CpuTime cpu = CpuTime.children().minus(before);
        drain.join();
        if (status != 0) {
            throw new IOException("curl exited with " + status + ": " + err.toString(StandardCharsets.UTF_8).strip());
        }
        return new Run(out.lines().toList(), wall, cpu);
    }

    @Override
    public void close() {
    }
}
