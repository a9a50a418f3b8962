package dev.ktlsuring.io;

import dev.ktlsuring.handshake.TlsHandshake;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsSession;
import dev.ktlsuring.ktls.Fallback;
import dev.ktlsuring.ktls.KernelTls;
import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.ktls.KtlsOutcome;
import dev.ktlsuring.secrets.ExtractedSession;
import dev.ktlsuring.secrets.KeyExtraction;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Steps 1 to 5 in one call: an io_uring TCP connection whose TLS records the kernel protects, ready
 * for plaintext reads and writes.
 *
 * @param socket  the connected socket (owned)
 * @param session what the handshake negotiated
 * @param channel plaintext I/O on the socket
 */
public record KtlsConnection(UringSocket socket, TlsSession session, KtlsChannel channel) implements AutoCloseable {

    // tag::open[]
    /**
     * Connects, handshakes, hands both directions to the kernel and wipes the userspace copies of the keys.
     *
     * @throws KtlsUnavailableException if the kernel declines (step 6 falls back to userspace instead)
     */
    public static KtlsConnection open(EventLoop loop, String host, int port, TlsOptions options, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        UringSocket socket = UringSocket.connect(loop, host, port, timeout);
        try {
            // One limit for connect and handshake together: the handshake gets what the connect left.
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            ExtractedSession extracted;
            try {
                extracted = KeyExtraction.handshake(socket, host, options, left);
            } catch (SocketTimeoutException e) {
                throw (SocketTimeoutException) TlsHandshake.handshakeTimeout(timeout, socket).initCause(e);
            }
            KtlsOutcome outcome;
            try (var keys = extracted.keys()) {
                outcome = KernelTls.enable(socket, keys);
            }
            return switch (outcome) {
                case KtlsEnabled enabled -> new KtlsConnection(socket, extracted.session(), new KtlsChannel(socket, enabled));
                case Fallback fallback -> {
                    extracted.session().close();
                    throw new KtlsUnavailableException(fallback.reason());
                }
            };
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
    // end::open[]

    /** Sends close_notify, then closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
            session.close();
        } finally {
            socket.close();
        }
    }
}
