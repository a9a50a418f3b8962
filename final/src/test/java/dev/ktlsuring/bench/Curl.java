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

    @Override
    public void close() {
    }
}
