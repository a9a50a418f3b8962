package dev.ktlsuring.handshake;

import dev.ktlsuring.uring.SocketAddresses;
import dev.ktlsuring.uring.UringSocket;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Step 2: a TLS handshake over an io_uring socket, with BouncyCastle's non-blocking client doing the
 * cryptography and our code moving every byte.
 *
 * <p>The loop is the whole idea: send what the protocol engine has queued, and while it is still
 * handshaking, read one whole record from the socket and offer it. When the engine reports the
 * handshake complete, the client's Finished has just been sent and nothing beyond the server's
 * last handshake record has been read.
 */
public final class TlsHandshake {

    private TlsHandshake() {
    }

    // tag::perform[]
    /**
     * Performs the client handshake on a connected socket.
     *
     * @param host     the name the server must prove (SNI and certificate check), or an IP literal
     * @param crypto   the crypto provider ({@link HandshakeCrypto#create()}, or one that observes keys)
     * @param observer called when the handshake completes, while its secrets still exist
     * @throws CertificateRejectedException if the server's certificate fails authentication
     * @throws SSLHandshakeException        for any other handshake failure, naming the alert
     * @throws SocketTimeoutException       if it takes longer than {@code timeout}
     */
    public static TlsSession perform(UringSocket socket, String host, TlsOptions options, JcaTlsCrypto crypto,
                                     HandshakeObserver observer, Duration timeout) throws IOException {
        var verifier = ServerCertificateVerifier.of(options.trust());
        var client = new HandshakeClient(crypto, options, host, verifier, observer);
        var protocol = new TlsClientProtocol();           // no streams: the non-blocking mode
        var transport = new RecordTransport(socket);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            protocol.connect(client);                     // queues the ClientHello
            while (true) {
                transport.flush(protocol, remaining(deadline, timeout, socket));
                if (!protocol.isHandshaking()) {
                    return new TlsSession(protocol, client, transport);
                }
                int length = transport.readRecord(remaining(deadline, timeout, socket));
                if (length < 0) {
                    throw new SSLHandshakeException("TLS handshake failed: the server closed the connection");
                }
                protocol.offerInput(transport.buffer(), 0, length);
            }
        } catch (IOException | RuntimeException e) {
            sendQueuedAlert(protocol, transport);
            transport.close();
            throw translate(e, client, timeout, socket);
        }
    }
    // end::perform[]

    /** Performs the handshake with the default crypto provider and no observer. */
    public static TlsSession perform(UringSocket socket, String host, TlsOptions options, Duration timeout)
            throws IOException {
        return perform(socket, host, options, HandshakeCrypto.create(), HandshakeObserver.NONE, timeout);
    }

    private static Duration remaining(long deadline, Duration timeout, UringSocket socket) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw handshakeTimeout(timeout, socket);
        }
        return Duration.ofNanos(left);
    }

    /** After a failure BouncyCastle has queued a fatal alert; tell the server why, if it still listens. */
    private static void sendQueuedAlert(TlsClientProtocol protocol, RecordTransport transport) {
        try {
            transport.flush(protocol, Duration.ofMillis(200));
        } catch (IOException | RuntimeException ignored) {
            // the peer may be gone; the original failure is what matters
        }
    }

    private static IOException translate(Exception e, HandshakeClient client, Duration timeout, UringSocket socket) {
        if (client.rejection() != null) {
            return client.rejection();
        }
        if (e instanceof SocketTimeoutException) {
            return handshakeTimeout(timeout, socket);
        }
        if (e instanceof TlsFatalAlertReceived received) {
            return handshakeFailure("the server sent a fatal alert: " + alert(received.getAlertDescription()), e);
        }
        if (e instanceof TlsFatalAlert raised) {
            String detail = raised.getCause() != null && raised.getCause().getMessage() != null
                    ? raised.getCause().getMessage()
                    : raised.getMessage();
            return handshakeFailure(alert(raised.getAlertDescription()) + (detail == null ? "" : " (" + detail + ")"), e);
        }
        if (e instanceof java.io.EOFException) {
            return handshakeFailure("the server closed the connection inside a record", e);
        }
        if (e instanceof SSLHandshakeException handshake) {
            return handshake;
        }
        if (e instanceof SSLException ssl) {
            // The framing refused what came (not TLS at all, or an oversized record): still a failed handshake.
            return handshakeFailure(ssl.getMessage(), e);
        }
        if (e instanceof IOException io) {
            return io;
        }
        return handshakeFailure(e.toString(), e);
    }

    private static SSLHandshakeException handshakeFailure(String message, Exception cause) {
        SSLHandshakeException failure = new SSLHandshakeException("TLS handshake failed: " + message);
        failure.initCause(cause);
        return failure;
    }

    /**
     * The timeout a handshake reports, naming the limit it ran under: {@code timeout} itself, or the
     * connect-and-handshake limit of which a caller gave it only what was left.
     */
    public static SocketTimeoutException handshakeTimeout(Duration timeout, UringSocket socket) {
        return new SocketTimeoutException("TLS handshake timed out after " + timeout.toMillis() + " ms ("
                + SocketAddresses.format(socket.remote()) + ")");
    }

    /** {@code handshake_failure(40)}, the RFC 8446 §6 name and code of an alert. */
    public static String alert(short description) {
        return AlertDescription.getName(description) + "(" + description + ")";
    }
}
