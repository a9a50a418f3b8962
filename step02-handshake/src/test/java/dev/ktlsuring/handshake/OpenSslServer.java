package dev.ktlsuring.handshake;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_server} on 127.0.0.1, started by the test: a real OpenSSL peer. With {@code -WWW}
 * it serves files from a directory over HTTP/1.0, closing each connection after the response.
 */
public final class OpenSslServer implements AutoCloseable {

    private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)");

    private final Process process;
    private final StringBuilder log = new StringBuilder();

    private final CompletableFuture<Integer> started;
    private volatile int port;

    private OpenSslServer(Process process, CompletableFuture<Integer> started) {
        this.process = process;
        this.started = started;
    }

    /**
     * Starts {@code openssl s_server} presenting {@code credential}, limited to {@code version} and
     * {@code suite}, serving the files under {@code root}.
     *
     * @param extraArgs further s_server options, e.g. {@code -no_ticket}
     */
    public static OpenSslServer start(TestPki.Credential credential, CipherSuite suite, Path root, String... extraArgs)
            throws IOException {
        return launch(credential, suite, root, true, extraArgs);
    }

    private static OpenSslServer launch(TestPki.Credential credential, CipherSuite suite, Path root, boolean www,
                                        String... extraArgs) throws IOException {
        Path dir = Files.createTempDirectory("s_server");
        Path[] pem = credential.writePem(dir);
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-cert", pem[0].toString(), "-key", pem[1].toString(), "-alpn", "http/1.1"));
        if (www) {
            command.add("-WWW");
        }
        if (suite.version() == TlsVersion.TLS_1_3) {
            command.addAll(List.of("-tls1_3", "-ciphersuites", suite.name()));
        } else {
            command.addAll(List.of("-tls1_2", "-cipher", openSslName(suite)));
        }
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        // -quiet would also hide the "ACCEPT 127.0.0.1:PORT" line that tells us the port.
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var port = new CompletableFuture<Integer>();
        var server = new OpenSslServer(process, port);
        Thread.ofPlatform().daemon().name("s_server-log").start(() -> server.drain(out));
        try {
            server.port = port.get(20, TimeUnit.SECONDS);
            return server;
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            process.destroyForcibly();
            throw new IOException("openssl s_server did not start: " + String.join(" ", command) + "\n" + server.log());
        }
    }

    /**
     * Starts {@code openssl s_server} in its interactive mode (no {@code -WWW}): what the client sends
     * is logged, and {@link #type(String)} sends s_server commands, e.g. {@code k} for a TLS 1.3
     * KeyUpdate (RFC 8446 §4.6.3).
     */
    public static OpenSslServer startInteractive(TestPki.Credential credential, CipherSuite suite) throws IOException {
        Path dir = Files.createTempDirectory("s_server");
        return launch(credential, suite, dir, false);
    }

    /** Writes {@code line} to s_server's standard input (a command in interactive mode). */
    public void type(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
    }

    /** Waits until s_server's output contains {@code text}. */
    public void awaitLog(String text, java.time.Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("s_server did not print \"" + text + "\" within " + timeout + ":\n" + log());
            }
            Thread.sleep(20);
        }
    }

    /** OpenSSL's name for a TLS 1.2 suite (RFC names differ: ECDHE-ECDSA-AES128-GCM-SHA256). */
    public static String openSslName(CipherSuite suite) {
        return switch (suite) {
            case TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 -> "ECDHE-ECDSA-AES128-GCM-SHA256";
            case TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> "ECDHE-RSA-AES128-GCM-SHA256";
            case TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 -> "ECDHE-ECDSA-AES256-GCM-SHA384";
            case TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 -> "ECDHE-RSA-AES256-GCM-SHA384";
            case TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 -> "ECDHE-ECDSA-CHACHA20-POLY1305";
            case TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 -> "ECDHE-RSA-CHACHA20-POLY1305";
            default -> throw new IllegalArgumentException(suite + " is a TLS 1.3 suite");
        };
    }

    private void drain(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                synchronized (log) {
                    log.append(line).append('\n');
                }
                Matcher m = ACCEPT.matcher(line);
                if (!started.isDone() && m.find()) {
                    started.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
        started.completeExceptionally(new IOException("s_server exited"));
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** What s_server printed after it started. */
    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
