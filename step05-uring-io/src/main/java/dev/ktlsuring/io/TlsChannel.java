package dev.ktlsuring.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A TLS connection as the application sees it: plaintext in, plaintext out. Step 5 implements it
 * with the kernel doing the records ({@link KtlsChannel}); step 6 adds a userspace implementation
 * for when the kernel declines.
 */
public interface TlsChannel extends AutoCloseable {

    /**
     * Reads application data into {@code buffer}.
     *
     * @return the number of bytes read, or -1 at the end of the stream: after the peer's close_notify,
     *         or after a TCP close without one (see {@link #closeNotifyReceived()})
     * @throws javax.net.ssl.SSLException on a fatal alert, a record that fails authentication, or a
     *                                    post-handshake message this channel can't follow
     */
    int read(MemorySegment buffer, Duration timeout) throws IOException;

    /** Writes all of {@code data} as application data. */
    void write(MemorySegment data, Duration timeout) throws IOException;

    /**
     * Writes all of {@code data}, then reads into {@code buffer} as {@link #read} does: a request and
     * the first of its response. An implementation may link the last send to the first receive, so that
     * both reach the kernel in one submission.
     */
    default int writeThenRead(MemorySegment data, MemorySegment buffer, Duration timeout) throws IOException {
        write(data, timeout);
        return read(buffer, timeout);
    }

    /**
     * Whether input is waiting that nobody has asked for — data, a record, the end of the stream — in
     * this channel's buffers or on its socket; never blocks. Between HTTP exchanges that is a server
     * talking out of turn: a kept-alive connection for which this is true must not carry another
     * request, or the unsolicited bytes would be read as its response.
     */
    boolean inputPending() throws IOException;

    /**
     * The part of {@link #inputPending()} that needs no look at the socket: input this channel has
     * already taken from it (decrypted, read ahead, or the end of the stream), never blocks.
     */
    boolean inputBuffered();

    /** Whether the peer ended the stream with close_notify (RFC 8446 §6.1), i.e. the end is authentic. */
    boolean closeNotifyReceived();

    /** How records are protected: {@code kTLS TX+RX (TLSv1.3 AES_128_GCM)} or the userspace fallback and why. */
    String describe();

    /** Sends close_notify (best effort) and releases this channel's buffers; the socket's owner closes the socket. */
    @Override
    void close();
}
