package dev.ktlsuring.handshake;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The JDK's own TLS server (SunJSSE), in-process on 127.0.0.1: an independent implementation for our
 * client to interoperate with, restricted to one protocol version and one suite per instance.
 */
public final class JdkTlsServer implements AutoCloseable {

    /** What the server does with each accepted, handshaken connection. */
    @FunctionalInterface
    public interface Handler {
        void handle(SSLSocket socket) throws IOException;
    }

    /** Echoes every byte back until the client closes. */
    public static final Handler ECHO = socket -> {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[16384];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            out.flush();
        }
    };

    private final SSLServerSocket server;
    private final Thread acceptor;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /**
     * Starts a server presenting {@code credential}, offering only {@code protocol} (e.g. {@code "TLSv1.3"},
     * or a comma-separated list) and {@code suite} (one or a comma-separated list), and ALPN {@code http/1.1}.
     */
    public JdkTlsServer(TestPki.Credential credential, String protocol, String suite, Handler handler) throws IOException {
        server = (SSLServerSocket) credential.serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SSLParameters params = server.getSSLParameters();
        params.setProtocols(protocol.split(","));
        params.setCipherSuites(suite.split(","));
        params.setApplicationProtocols(new String[]{"http/1.1"});
        server.setSSLParameters(params);
        acceptor = Thread.ofPlatform().daemon().name("jdk-tls-server").start(() -> {
            while (!server.isClosed()) {
                try {
                    SSLSocket socket = (SSLSocket) server.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(socket, handler));
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        failures.add(e);
                    }
                }
            }
        });
    }

    private void serve(SSLSocket socket, Handler handler) {
        try (socket) {
            socket.startHandshake();
            handler.handle(socket);
        } catch (SocketException ignored) {
            // the client went away: its assertions say whether that was expected
        } catch (IOException e) {
            failures.add(e);
        }
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * Reads one HTTP request head from {@code in}, through its empty line, for handlers that answer
     * requests; null if the stream ends first.
     */
    public static byte[] readRequestHead(InputStream in) throws IOException {
        var head = new java.io.ByteArrayOutputStream();
        int last4 = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            last4 = last4 << 8 | b;
            if (last4 == ('\r' << 24 | '\n' << 16 | '\r' << 8 | '\n')) {
                return head.toByteArray();
            }
        }
        return null;
    }

    /** Server-side failures seen so far (handshake errors show up here too). */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        acceptor.join(2_000);
    }
}
