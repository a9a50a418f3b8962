package dev.ktlsuring.bench;

import dev.ktlsuring.client.NginxServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * nginx (Debian's nginx-light, OpenSSL underneath) on 127.0.0.1 in the foreground with its own prefix
 * directory, one worker process, serving the benchmark's files over TLS 1.3 with one cipher suite,
 * so that every client negotiates the same thing. Session caching and tickets are off: a new
 * connection is always a full handshake, whichever client makes it.
 *
 * <p>Requests for the small file (and for the cold scenario's download, cold.bin) carry {@code ?run=ID};
 * the access log records run id, nginx's connection serial number, status and body bytes sent, so
 * that each run can be checked to have used exactly the connections it claims (one for keep-alive,
 * one per request for new connections, at most C for C at once) and, in the cold scenario, to have
 * got the whole body.
 *
 * <p>Room for 8192 connections: every JVM client keeps the connections of its concurrent runs open
 * between rounds (up to 256 each at the default levels, the JDK client one pool per level), and
 * curl opens its own beside them.
 */
final class Nginx implements AutoCloseable {

    static final String TLS_VERSION = "TLSv1.3", CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";

    private final NginxServer server;
    private final Path accessLog;
    private long logOffset;

    private Nginx(NginxServer server, Path prefix) {
        this.server = server;
        this.accessLog = prefix.resolve("access.log");
    }

    static Nginx start(Pki pki, Path root, Path prefix) throws IOException, InterruptedException {
        return new Nginx(NginxServer.launch(prefix, port -> """
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    worker_rlimit_nofile 16384;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 8192; }
                    http {
                        access_log off;
                        log_format runs '$arg_run $connection $connection_requests $status $body_bytes_sent';
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        default_type application/octet-stream;
                        keepalive_requests 10000000;
                        keepalive_timeout 300s;
                        server {
                            listen 127.0.0.1:%2$d ssl;
                            ssl_certificate %3$s;
                            ssl_certificate_key %4$s;
                            ssl_protocols %6$s;
                            ssl_conf_command Ciphersuites %7$s;
                            ssl_session_cache off;
                            ssl_session_tickets off;
                            ssl_buffer_size 16k;
                            location / { root %5$s; }
                            location = /small.bin { root %5$s; access_log %1$s/access.log runs; }
                            location = /cold.bin { root %5$s; access_log %1$s/access.log runs; }
                        }
                    }
                    """.formatted(prefix, port, pki.serverCertPem(), pki.serverKeyPem(), root, TLS_VERSION, CIPHER_SUITE),
                Duration.ofSeconds(60)), prefix);
    }

    int port() {
        return server.port();
    }

    /** nginx's CPU time so far (user + system, in steps of 10 ms): one process serves everything. */
    long cpuNanos() throws IOException {
        return Benchmark.processCpuNanos(server.pid());
    }

    /** {@code nginx -v}. */
    static String version() {
        try {
            Process p = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return v.replace("nginx version: ", "");
        } catch (IOException | InterruptedException e) {
            return "nginx (version unknown)";
        }
    }

    /**
     * The access-log lines for run {@code runId} written since the last call: how many requests and
     * over how many distinct connections.
     */
    int[] requestsAndConnections(String runId) throws IOException, InterruptedException {
        Served s = served(runId);
        return new int[] {s.requests(), s.connections()};
    }

    /**
     * What nginx served for run {@code runId} since the last call: requests, distinct connections, and
     * the body bytes of the requests answered with 200 ({@code requests == ok} when all were).
     */
    record Served(int requests, int connections, int ok, long okBytes) {
    }

    /** The access-log lines for run {@code runId} written since the last call ({@link Served}). */
    Served served(String runId) throws IOException, InterruptedException {
        // nginx writes each line with one write(2) when the request finishes; give the last one a moment.
        Thread.sleep(20);
        List<String> lines = List.of();
        if (Files.exists(accessLog)) {
            try (var channel = java.nio.channels.FileChannel.open(accessLog)) {
                long size = channel.size();
                var fresh = java.nio.ByteBuffer.allocate((int) Math.max(0, size - logOffset));
                while (fresh.hasRemaining() && channel.read(fresh, logOffset + fresh.position()) > 0) {
                    // read to the end as it was
                }
                logOffset += fresh.position();
                lines = new String(fresh.array(), 0, fresh.position(), java.nio.charset.StandardCharsets.US_ASCII).lines().toList();
            }
        }
        int requests = 0, ok = 0;
        long okBytes = 0;
        Set<String> connections = new HashSet<>();
        for (String line : lines) {
            // '$arg_run $connection $connection_requests $status $body_bytes_sent'
            String[] w = line.split(" ");
            if (w.length >= 2 && w[0].equals(runId)) {
                requests++;
                connections.add(w[1]);
                if (w.length >= 5 && w[3].equals("200")) {
                    ok++;
                    okBytes += Long.parseLong(w[4]);
                }
            }
        }
        return new Served(requests, connections.size(), ok, okBytes);
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
