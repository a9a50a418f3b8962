package dev.ktlsuring.client;

import dev.ktlsuring.handshake.TestPki;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * nginx (Debian's package, OpenSSL underneath) on 127.0.0.1, started by the test in the foreground
 * with its own prefix directory: static files from {@code root}, and {@code /echo}, which answers any
 * method with the method and the request's Content-Length, so that uploads are seen to arrive. Every
 * request is logged, so that tests can count what the server saw.
 */
public final class NginxServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path prefix;

    private NginxServer(Process process, int port, Path prefix) {
        this.process = process;
        this.port = port;
        this.prefix = prefix;
    }

    /** Starts nginx presenting {@code credential}, TLS 1.2 and 1.3, serving {@code root}. */
    public static NginxServer start(TestPki.Credential credential, Path root) throws IOException, InterruptedException {
        Path prefix = Files.createTempDirectory("nginx");
        Path[] pem = credential.writePem(prefix);
        return launch(prefix, port -> """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate %3$s;
                        ssl_certificate_key %4$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
                        keepalive_requests 100000;
                        # The kTLS suite's guest is emulated: a cold JVM's first handshake can take a minute.
                        client_header_timeout 300s;
                        client_body_timeout 300s;
                        send_timeout 300s;
                        keepalive_timeout 300s;
                        client_max_body_size 64m;
                        location / { root %5$s; }
                        location /echo { return 200 "$request_method $content_length\\n"; }
                    }
                }
                """.formatted(prefix, port, pem[0], pem[1], root), Duration.ofSeconds(20));
    }

    /**
     * Starts nginx in the foreground on a free loopback port with the configuration {@code config}
     * writes for that port, under {@code prefix}; tries another port if the one picked was taken in
     * between (the probe socket must be closed before nginx can bind it).
     */
    public static NginxServer launch(Path prefix, IntFunction<String> config, Duration startup)
            throws IOException, InterruptedException {
        Files.createDirectories(prefix);
        for (int attempt = 0; ; attempt++) {
            int port;
            try (var probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Files.writeString(prefix.resolve("nginx.conf"), config.apply(port));
            Process process = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
            Instant deadline = Instant.now().plus(startup);
            while (Instant.now().isBefore(deadline) && process.isAlive()) {
                try (var s = new Socket("127.0.0.1", port)) {
                    return new NginxServer(process, port, prefix);
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            process.destroyForcibly();
            String log = read(prefix.resolve("error.log")) + read(prefix.resolve("stdout.log"));
            if (attempt < 3 && log.contains("Address already in use")) {
                continue;
            }
            throw new IOException("nginx did not start: " + log.strip());
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** nginx's process id (with {@code master_process off}, the one process that serves). */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** How many requests nginx has logged (one line each, written once the response is sent). */
    public long accessLogLines() throws IOException {
        Path log = prefix.resolve("access.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log)) {
            return lines.count();
        }
    }

    /** What nginx logged. */
    public String errorLog() throws IOException {
        Path log = prefix.resolve("error.log");
        return read(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
