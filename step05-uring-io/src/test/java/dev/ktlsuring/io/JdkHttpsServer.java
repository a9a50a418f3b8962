package dev.ktlsuring.io;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ktlsuring.handshake.TestPki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's own HTTPS server on 127.0.0.1 (keep-alive, chunked responses): {@code /echo} answers
 * with the method and the request body under Content-Length; {@code /chunked?n=N} sends N lines in a
 * chunked body; {@code /bytes?n=N} sends {@link #pattern(int) N pattern bytes}.
 */
public final class JdkHttpsServer implements AutoCloseable {

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    public JdkHttpsServer(TestPki.Credential credential) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(credential.serverContext()));
        server.createContext("/echo", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] reply = (exchange.getRequestMethod() + " " + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        });
        server.createContext("/chunked", exchange -> {
            int n = Integer.parseInt(exchange.getRequestURI().getQuery().substring(2));
            exchange.sendResponseHeaders(200, 0);             // 0 = chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < n; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        });
        server.createContext("/bytes", exchange -> {
            byte[] body = pattern(Integer.parseInt(exchange.getRequestURI().getQuery().substring(2)));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** {@code n} bytes of a fixed, non-repeating-looking pattern, as served by {@code /bytes?n=N}. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
        return b;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
