package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.TlsHandshake;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsSession;
import dev.ktlsuring.io.KtlsChannel;
import dev.ktlsuring.io.KtlsUnavailableException;
import dev.ktlsuring.io.TlsChannel;
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
 * The whole pipeline with its fallback: an io_uring TLS connection whose records the kernel protects
 * when it can, and userspace otherwise, on the same socket, with the choice and its reason observable.
 *
 * @param socket  the connected socket (owned)
 * @param session what the handshake negotiated
 * @param outcome what the kernel said ({@link KtlsEnabled} or {@link Fallback}), or {@code null} in
 *                {@link TlsMode#USERSPACE}, where it was not asked
 * @param channel plaintext I/O
 */
public record SecureConnection(UringSocket socket, TlsSession session, KtlsOutcome outcome, TlsChannel channel)
        implements AutoCloseable {

    // tag::open[]
    /** Connects, handshakes, and sets up the record layer as {@code mode} asks. */
    public static SecureConnection open(EventLoop loop, String host, int port, TlsOptions options, TlsMode mode,
                                        Duration timeout) throws IOException {
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
            TlsSession session = extracted.session();
            KtlsOutcome outcome = null;
            try (var keys = extracted.keys()) {
                if (mode != TlsMode.USERSPACE) {
                    outcome = KernelTls.enable(socket, keys);
                }
            }
            TlsChannel channel = switch (outcome) {
                case null -> new UserspaceChannel(session, "requested");
                case KtlsEnabled enabled -> new KtlsChannel(socket, enabled);
                case Fallback fallback when mode == TlsMode.KTLS -> {
                    session.close();
                    throw new KtlsUnavailableException(fallback.reason());
                }
                case Fallback fallback -> new UserspaceChannel(session, "fallback: " + fallback.reason());
            };
            return new SecureConnection(socket, session, outcome, channel);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
    // end::open[]

    /** Whether the kernel does the records. */
    public boolean kernelTls() {
        return outcome instanceof KtlsEnabled;
    }

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
