package dev.ktlsuring.cli;

import dev.ktlsuring.handshake.TestPki;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;

/**
 * A scripted peer on 127.0.0.1 for hostile-server tests: to every connection it sends fixed bytes and
 * ends the stream, either as raw TCP (bytes in place of TLS) or inside TLS after the JDK's server
 * handshake, ending with close_notify or with a bare TCP FIN (a truncation attack, RFC 8446 §6.1).
 */
public final class ScriptedServer implements AutoCloseable {

    /** What the peer does on one accepted TCP connection. */
    @FunctionalInterface
    private interface Script {
        void run(Socket plain) throws IOException;
    }

    private final ServerSocket listener;

    private ScriptedServer(Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("scripted-server").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket plain = listener.accept();
                    Thread.ofVirtual().start(() -> serve(plain, script));
                } catch (IOException e) {
                    // closed: the test is over
                }
            }
        });
    }

    /** Reads what the client sends first (its ClientHello), answers {@code reply} as raw bytes, then FIN. */
    public static ScriptedServer tcp(byte[] reply) throws IOException {
        return new ScriptedServer(plain -> {
            plain.getInputStream().read(new byte[16 * 1024]);
            plain.getOutputStream().write(reply);
            plain.getOutputStream().flush();
        });
    }

    /** Reads the ClientHello and then says nothing, until the client gives up and hangs up. */
    public static ScriptedServer silentAfterClientHello() throws IOException {
        return new ScriptedServer(plain -> {
            plain.setSoTimeout(0);
            plain.getInputStream().read(new byte[16 * 1024]);
            waitForHangUp(plain.getInputStream());
        });
    }

    /** Completes a TLS 1.3 handshake, reads the request, and then never answers, until the client hangs up. */
    public static ScriptedServer silentAfterRequest(TestPki.Credential credential) throws IOException {
        var context = credential.serverContext();
        return new ScriptedServer(plain -> {
            plain.setSoTimeout(0);
            var tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false);
            tls.setUseClientMode(false);
            tls.startHandshake();
            tls.getInputStream().read(new byte[16 * 1024]);
            waitForHangUp(plain.getInputStream());
        });
    }

    private static void waitForHangUp(InputStream in) throws IOException {
        while (in.read(new byte[4096]) >= 0) {
            // discard
        }
    }

    /**
     * Completes a TLS 1.3 handshake presenting {@code credential}, reads the request, sends {@code response}
     * as application data, then ends with close_notify or, if {@code closeNotify} is false, with a bare FIN.
     */
    public static ScriptedServer tls(TestPki.Credential credential, byte[] response, boolean closeNotify)
            throws IOException {
        return tls(credential, "TLSv1.3", "TLS_AES_128_GCM_SHA256", response, closeNotify);
    }

    /** Like {@link #tls(TestPki.Credential, byte[], boolean)}, offering only {@code protocol} and {@code suite}. */
    public static ScriptedServer tls(TestPki.Credential credential, String protocol, String suite, byte[] response,
                                     boolean closeNotify) throws IOException {
        var context = credential.serverContext();
        return new ScriptedServer(plain -> {
            // Layered on the TCP socket without autoClose: closing TLS and TCP are separate decisions.
            var tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false);
            tls.setUseClientMode(false);
            SSLParameters params = tls.getSSLParameters();
            params.setProtocols(new String[]{protocol});
            params.setCipherSuites(new String[]{suite});
            tls.setSSLParameters(params);
            tls.startHandshake();
            tls.getInputStream().read(new byte[16 * 1024]);
            tls.getOutputStream().write(response);
            tls.getOutputStream().flush();
            if (closeNotify) {
                tls.close();                      // close_notify; the TCP socket stays open
            }
        });
    }

    /**
     * Like {@link #tls(TestPki.Credential, byte[], boolean)}, sending each of {@code records} with a write
     * of its own, so that each goes out in TLS records of its own, and ending with close_notify.
     */
    public static ScriptedServer tlsRecords(TestPki.Credential credential, List<byte[]> records) throws IOException {
        var context = credential.serverContext();
        return new ScriptedServer(plain -> {
            var tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false);
            tls.setUseClientMode(false);
            tls.startHandshake();
            tls.getInputStream().read(new byte[16 * 1024]);
            for (byte[] record : records) {
                tls.getOutputStream().write(record);
                tls.getOutputStream().flush();
            }
            tls.close();
        });
    }

    /**
     * Completes a TLS 1.3 handshake, reads the request's head, sends {@code response} and closes the
     * connection at once, without reading the body the client is still sending: the kernel answers
     * that with a reset (an HTTP server refusing an upload too large, without lingering).
     */
    public static ScriptedServer answersBeforeTheBody(TestPki.Credential credential, byte[] response) throws IOException {
        var context = credential.serverContext();
        return new ScriptedServer(plain -> {
            var tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false);
            tls.setUseClientMode(false);
            tls.startHandshake();
            dev.ktlsuring.handshake.JdkTlsServer.readRequestHead(tls.getInputStream());
            tls.getOutputStream().write(response);
            tls.getOutputStream().flush();
            plain.close();
        });
    }

    private static void serve(Socket plain, Script script) {
        try (plain) {
            plain.setSoTimeout(10_000);
            plain.setTcpNoDelay(true);            // the reply's records go out at once, not after a delayed ACK
            script.run(plain);
            plain.shutdownOutput();               // FIN, then wait for the client to hang up (no RST)
            waitForHangUp(plain.getInputStream());
        } catch (SocketException ignored) {
            // the client hung up first: expected of a client that rejects what it got
        } catch (IOException ignored) {
            // handshake refused by the client, timeout: the client's exit status is what the tests check
        }
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code https://localhost:PORT/}. */
    public String url() {
        return "https://localhost:" + port() + "/";
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
