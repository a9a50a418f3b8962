package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.TlsSession;
import dev.ktlsuring.io.TlsChannel;
import dev.ktlsuring.uring.SocketAddresses;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsNoCloseNotifyException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Step 6: the same plaintext channel as step 5, with BouncyCastle sealing and opening the records in
 * userspace (the JDK's AES-GCM intrinsics do the bulk work) and io_uring still moving every byte.
 * Used when the kernel declines kTLS, or when asked for.
 */
public final class UserspaceChannel implements TlsChannel {

    private final TlsSession session;
    private final String description;
    private final byte[] plain = new byte[16 * 1024];
    private boolean eof, closeNotify, closed;
    /**
     * A send failed: the peer takes no more (it may have answered and closed, an HTTP 413 say). What
     * BouncyCastle still has queued is dropped instead of sent, so that the answer can still be read.
     */
    private boolean sendFailed;

    /**
     * @param session the handshake's session: BouncyCastle's record layer continues from it
     * @param reason  why userspace is doing the records, for {@link #describe()}
     */
    public UserspaceChannel(TlsSession session, String reason) {
        this.session = session;
        this.description = "userspace TLS (" + reason + ")";
        // The kernel will not read this socket: records may be received several at a time.
        session.transport().allowReadAhead();
    }

    // tag::read[]
    @Override
    public int read(MemorySegment buffer, Duration timeout) throws IOException {
        var protocol = session.protocol();
        var transport = session.transport();
        try {
            while (true) {
                int available = protocol.getAvailableInputBytes();
                if (available > 0) {
                    int n = protocol.readInput(plain, 0, (int) Math.min(Math.min(available, plain.length), buffer.byteSize()));
                    MemorySegment.copy(plain, 0, buffer, JAVA_BYTE, 0, n);
                    return n;
                }
                if (eof || protocol.isClosed()) {
                    eof = true;
                    return -1;
                }
                int length = transport.readRecord(timeout);
                if (length < 0) {
                    eof = true;
                    try {
                        protocol.closeInput();           // TCP close: was close_notify seen first?
                    } catch (TlsNoCloseNotifyException e) {
                        return -1;
                    }
                    return -1;
                }
                // One whole record at a time (step 2's framing); BouncyCastle decrypts and verifies it.
                protocol.offerInput(transport.buffer(), 0, length);
                if (protocol.isClosed() && protocol.getAvailableInputBytes() == 0) {
                    closeNotify = true;                  // a fatal alert would have thrown instead
                }
                if (sendFailed) {
                    transport.discardOutput(protocol);
                } else {
                    transport.flush(protocol, timeout);  // KeyUpdate answers, close_notify replies
                }
            }
        } catch (TlsFatalAlertReceived e) {
            throw new SSLException("received fatal alert: " + AlertDescription.getText(e.getAlertDescription())
                    + " from " + SocketAddresses.format(transport.socket().remote()), e);
        } catch (TlsFatalAlert e) {
            String why = e.getAlertDescription() == AlertDescription.bad_record_mac
                    ? ": the record failed authentication: the data was altered in transit or the keys are wrong" : "";
            throw new SSLException("TLS record rejected (" + AlertDescription.getText(e.getAlertDescription())
                    + ") from " + SocketAddresses.format(transport.socket().remote()) + why, e);
        }
    }
    // end::read[]

    // tag::write[]
    @Override
    public void write(MemorySegment data, Duration timeout) throws IOException {
        try {
            seal(data, timeout);
            session.transport().flush(session.protocol(), timeout);
        } catch (IOException e) {
            abandonOutput();
            throw e;
        }
    }

    private void abandonOutput() {
        sendFailed = true;
        session.transport().discardOutput(session.protocol());
    }

    /**
     * The records of the request go out linked with the first receive of the response (step 1's
     * {@code sendThen}): one submission for both.
     */
    @Override
    public int writeThenRead(MemorySegment data, MemorySegment buffer, Duration timeout) throws IOException {
        var transport = session.transport();
        try {
            seal(data, timeout);
            transport.flushWithNextReceive(session.protocol(), timeout);
        } catch (IOException e) {
            abandonOutput();
            throw e;
        }
        int n;
        try {
            n = read(buffer, timeout);
        } catch (IOException | RuntimeException e) {
            // Never sent later (say with close_notify): a request nobody reads the answer to.
            transport.discardHeld();
            throw e;
        }
        transport.flushHeld(timeout);            // if the read needed no receive, the records still go out
        return n;
    }

    /** Hands {@code data} to BouncyCastle, which seals it into records; sends all but the last output. */
    private void seal(MemorySegment data, Duration timeout) throws IOException {
        if (closed) {
            throw new IllegalStateException("channel is closed");
        }
        var protocol = session.protocol();
        for (long at = 0; at < data.byteSize(); ) {
            int n = (int) Math.min(plain.length, data.byteSize() - at);
            MemorySegment.copy(data, JAVA_BYTE, at, plain, 0, n);
            protocol.writeApplicationData(plain, 0, n);
            at += n;
            if (at < data.byteSize()) {
                session.transport().flush(protocol, timeout);
            }
        }
    }
    // end::write[]

    /**
     * Plaintext BouncyCastle has decrypted but not handed out counts, as do records read ahead but not
     * yet decrypted, and anything on the socket.
     */
    @Override
    public boolean inputPending() throws IOException {
        return inputBuffered() || session.transport().socket().readableNow();
    }

    @Override
    public boolean inputBuffered() {
        return eof || session.protocol().getAvailableInputBytes() > 0 || session.transport().buffered() > 0;
    }

    @Override
    public boolean closeNotifyReceived() {
        return closeNotify;
    }

    @Override
    public String describe() {
        return description;
    }

    /** Sends close_notify (best effort) and releases the session's buffers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.protocol().close();
            session.transport().flush(session.protocol(), Duration.ofSeconds(1));
        } catch (IOException | RuntimeException ignored) {
            // the peer may be gone already
        } finally {
            session.close();
        }
    }
}
