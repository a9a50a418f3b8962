package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.TlsVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An on-path attacker on 127.0.0.1: a TCP proxy to a TLS server that forwards both directions record
 * by record, verbatim, except that it flips one bit in the ciphertext of the first application_data
 * record the server sends after the client's first application_data record of its own (the request).
 *
 * <p>Which client record is the request depends on the version: in TLS 1.3 the client's Finished is
 * already an encrypted record of outer type 23, so the request is the second; in TLS 1.2 the Finished
 * is a handshake record (22) and the request is the first.
 */
public final class TamperingProxy implements AutoCloseable {

    private static final int APPLICATION_DATA = 23;

    private final ServerSocket listener;
    private final int targetPort;
    private final int clientRecordsBeforeRequest;
    private final AtomicInteger clientRecords = new AtomicInteger();
    private final AtomicBoolean tampered = new AtomicBoolean();
    private volatile boolean requestForwarded;

    /** A proxy to the TLS server on 127.0.0.1:{@code targetPort}, for a connection that negotiates {@code version}. */
    public TamperingProxy(int targetPort, TlsVersion version) throws IOException {
        this.targetPort = targetPort;
        this.clientRecordsBeforeRequest = version == TlsVersion.TLS_1_3 ? 1 : 0;
        listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("tampering-proxy").start(this::acceptLoop);
    }

    /** The port on 127.0.0.1 the client connects to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Whether a server record has been altered yet. */
    public boolean tampered() {
        return tampered.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Thread.ofPlatform().daemon().start(() -> pump(client, server, true));
                Thread.ofPlatform().daemon().start(() -> pump(server, client, false));
            } catch (IOException e) {
                // closed: the test is over
            }
        }
    }

    /** Copies whole records from {@code from} to {@code to}, observing (client side) or altering (server side). */
    private void pump(Socket from, Socket to, boolean fromClient) {
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] header;
            while ((header = in.readNBytes(5)).length == 5) {
                byte[] body = in.readNBytes(((header[3] & 0xff) << 8) | (header[4] & 0xff));
                if (header[0] == APPLICATION_DATA) {
                    if (fromClient && clientRecords.getAndIncrement() == clientRecordsBeforeRequest) {
                        requestForwarded = true;          // set before the server can possibly see the request
                    } else if (!fromClient && requestForwarded && body.length > 0 && tampered.compareAndSet(false, true)) {
                        body[body.length / 2] ^= 0x01;
                    }
                }
                out.write(header);
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // one side hung up or reset: closing both ends passes that on
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
