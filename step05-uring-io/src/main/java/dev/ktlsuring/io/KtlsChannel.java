package dev.ktlsuring.io;

import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.ktls.abi.tls_h;
import dev.ktlsuring.uring.Errno;
import dev.ktlsuring.uring.SocketAddresses;
import dev.ktlsuring.uring.UringSocket;
import dev.ktlsuring.uring.abi.cmsghdr;
import dev.ktlsuring.uring.abi.iovec;
import dev.ktlsuring.uring.abi.msghdr;
import dev.ktlsuring.uring.abi.socket_h;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLProtocolException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Step 5: plaintext I/O through io_uring on a socket whose records the kernel protects.
 *
 * <p>Writes are plain {@code IORING_OP_SEND}s: the kernel cuts the bytes into records and seals them.
 * Reads are {@code IORING_OP_RECVMSG}s with room for one control message, because under kTLS RX
 * a record that is not application data (an alert, a NewSessionTicket, a KeyUpdate) comes alone,
 * with its type in a {@code SOL_TLS}/{@code TLS_GET_RECORD_TYPE} control message; a plain
 * {@code recv} without that room fails such a record with EIO ({@code Documentation/networking/tls.rst},
 * "Receiving TLS control messages").
 */
public final class KtlsChannel implements TlsChannel {

    /** Room for one cmsghdr and its one-byte payload: CMSG_SPACE(1) is 24 on 64-bit Linux. */
    private static final int CONTROL_SIZE = 64;

    private final UringSocket socket;
    private final KtlsEnabled kernel;
    private final Arena arena = Arena.ofShared();   // a pooled connection moves between threads
    private final MemorySegment message = arena.allocate(msghdr.layout());
    private final MemorySegment iov = arena.allocate(iovec.layout());
    private final MemorySegment control = arena.allocate(CONTROL_SIZE, 8);
    private final MemorySegment controlRecord = arena.allocate(1 << 14);
    private boolean eof, closeNotify, closed;
    /** Request bytes to send linked with the next receive ({@link #writeThenRead}); null when none. */
    private MemorySegment sendFirst;

    /** Wraps a socket on which {@link dev.ktlsuring.ktls.KernelTls#enable} succeeded. */
    public KtlsChannel(UringSocket socket, KtlsEnabled kernel) {
        this.socket = socket;
        this.kernel = kernel;
    }

    // tag::read[]
    @Override
    public int read(MemorySegment buffer, Duration timeout) throws IOException {
        while (!eof) {
            Received r = receive(buffer, timeout);
            if (r.length == 0 && r.type == null) {
                eof = true;                       // TCP FIN without close_notify
                break;
            }
            switch (r.type) {
                case APPLICATION_DATA -> {
                    return r.length;
                }
                case ALERT -> onAlert(r.content);
                case HANDSHAKE -> onPostHandshakeMessage(r.content);
                case CHANGE_CIPHER_SPEC -> throw new SSLProtocolException(
                        "unexpected change_cipher_spec record after the handshake (" + peer() + ")");
            }
        }
        return -1;
    }
    // end::read[]

    // tag::write[]
    @Override
    public void write(MemorySegment data, Duration timeout) throws IOException {
        if (closed) {
            throw new IllegalStateException("channel is closed");
        }
        socket.sendFully(data, timeout);
    }

    /** The send and the first {@code recvmsg} go to the kernel linked: one submission for both. */
    @Override
    public int writeThenRead(MemorySegment data, MemorySegment buffer, Duration timeout) throws IOException {
        if (closed) {
            throw new IllegalStateException("channel is closed");
        }
        if (eof) {
            socket.sendFully(data, timeout);
            return -1;
        }
        sendFirst = data;
        try {
            return read(buffer, timeout);
        } finally {
            sendFirst = null;
        }
    }
    // end::write[]

    // tag::control-messages[]
    /**
     * One {@code recvmsg}: application data lands in {@code buffer}; any other record type lands in
     * this channel's own buffer (it is protocol, not data). Returns a length of 0 with no type at EOF.
     */
    private Received receive(MemorySegment buffer, Duration timeout) throws IOException {
        iovec.iov_base(iov, buffer);
        iovec.iov_len(iov, buffer.byteSize());
        control.fill((byte) 0);
        message.fill((byte) 0);
        msghdr.msg_iov(message, iov);
        msghdr.msg_iovlen(message, 1);
        msghdr.msg_control(message, control);
        msghdr.msg_controllen(message, CONTROL_SIZE);

        int n = submitRecvmsg(timeout);
        RecordType type = recordType();
        if (n == 0 && type == null) {
            return new Received(null, 0, null);
        }
        if (type == null) {
            type = RecordType.APPLICATION_DATA;  // kernels report the type of every record; be lenient if not
        }
        if (type == RecordType.APPLICATION_DATA) {
            return new Received(type, n, null);
        }
        // A control record was read into the caller's buffer; copy it out, and finish reading it if the
        // buffer was too small (the kernel then hands the rest of the same record to the next call).
        long total = Math.min(n, controlRecord.byteSize());
        MemorySegment.copy(buffer, 0, controlRecord, 0, total);
        while (n == buffer.byteSize() && (msghdr.msg_flags(message) & socket_h.MSG_EOR()) == 0
                && total < controlRecord.byteSize()) {
            iovec.iov_base(iov, controlRecord.asSlice(total));
            iovec.iov_len(iov, controlRecord.byteSize() - total);
            msghdr.msg_flags(message, 0);
            n = submitRecvmsg(timeout);
            total += n;
        }
        return new Received(type, (int) total, controlRecord.asSlice(0, total).toArray(JAVA_BYTE));
    }

    private int submitRecvmsg(Duration timeout) throws IOException {
        MemorySegment request = sendFirst;
        sendFirst = null;
        int n = request != null
                ? socket.sendThen(request, "recvmsg", timeout, (entry, fd) -> entry.recvmsg(fd, message, 0))
                : socket.execute("recvmsg", timeout, (entry, fd) -> entry.recvmsg(fd, message, 0));
        if (n <= 0 && socket.isClosed()) {
            throw new java.net.SocketException("recvmsg: socket closed (" + peer() + ")");
        }
        if (n >= 0) {
            if ((msghdr.msg_flags(message) & socket_h.MSG_CTRUNC()) != 0) {
                throw new SSLProtocolException("recvmsg: TLS record type control message truncated (" + peer() + ")");
            }
            return n;
        }
        if (timeout != null && Errno.ETIME.isResult(n)) {
            throw new java.net.SocketTimeoutException("recvmsg: timed out after " + timeout.toMillis() + " ms (" + peer() + ")");
        }
        // Under kTLS every record error is fatal for the connection; name what the kernel said.
        if (Errno.EBADMSG.isResult(n)) {
            throw new SSLException("recvmsg: EBADMSG (" + peer() + "): a TLS record failed authentication "
                    + "(bad_record_mac): the data was altered in transit or the keys are wrong");
        }
        if (Errno.EMSGSIZE.isResult(n)) {
            throw new SSLException("recvmsg: EMSGSIZE (" + peer() + "): the peer sent a TLS record longer than the kernel allows for this cipher (2^14 bytes of plaintext plus its overhead)");
        }
        if (Errno.EKEYEXPIRED.isResult(n)) {
            throw new SSLException("recvmsg: EKEYEXPIRED (" + peer() + "): the peer updated its keys (KeyUpdate)");
        }
        throw Errno.exception("recvmsg", n, peer());
    }

    /** The record type from the {@code SOL_TLS}/{@code TLS_GET_RECORD_TYPE} control message, if one came. */
    private RecordType recordType() throws SSLProtocolException {
        long length = cmsghdr.cmsg_len(control);
        if (length == 0) {
            return null;
        }
        if (cmsghdr.cmsg_level(control) != tls_h.SOL_TLS() || cmsghdr.cmsg_type(control) != tls_h.TLS_GET_RECORD_TYPE()
                || length < cmsghdr.layout().byteSize() + 1) {
            throw new SSLProtocolException("recvmsg: unexpected control message (level " + cmsghdr.cmsg_level(control)
                    + ", type " + cmsghdr.cmsg_type(control) + ") from " + peer());
        }
        int code = Byte.toUnsignedInt(control.get(JAVA_BYTE, cmsghdr.layout().byteSize()));
        RecordType type = RecordType.of(code);
        if (type == null) {
            throw new SSLProtocolException("unexpected_message: TLS record of unknown type " + code + " from " + peer());
        }
        return type;
    }
    // end::control-messages[]

    // tag::alerts[]
    private void onAlert(byte[] content) throws SSLException {
        if (content.length != 2) {
            throw new SSLProtocolException("decode_error: alert record of " + content.length + " bytes from " + peer());
        }
        TlsAlert alert = new TlsAlert(content[0], Byte.toUnsignedInt(content[1]));
        if (alert.isCloseNotify()) {
            closeNotify = true;
            eof = true;
        } else if (alert.isFatal()) {
            throw new SSLException("received fatal alert: " + alert.name() + " from " + peer());
        }
        // user_canceled: a warning that close_notify follows (RFC 8446 §6.1); keep reading.
    }

    /**
     * Handshake messages after the handshake (RFC 8446 §4.6): NewSessionTicket (4) is for session
     * resumption, which this client does not do, so it is dropped. KeyUpdate (24) changes the peer's
     * key: kernels before 6.14 cannot take a new RX key, so the stream can't continue.
     */
    private void onPostHandshakeMessage(byte[] content) throws SSLException {
        for (int at = 0; at + 4 <= content.length; ) {
            int type = Byte.toUnsignedInt(content[at]);
            int length = (Byte.toUnsignedInt(content[at + 1]) << 16) | (Byte.toUnsignedInt(content[at + 2]) << 8)
                    | Byte.toUnsignedInt(content[at + 3]);
            switch (type) {
                case 4 -> { }  // new_session_ticket
                case 24 -> throw new SSLException("received TLS 1.3 KeyUpdate from " + peer() + ": the kernel's "
                        + "TLS receive path cannot take a new key here (kTLS RX rekey needs Linux 6.14 and is not "
                        + "implemented by this client); the connection cannot continue");
                default -> throw new SSLProtocolException("unexpected_message: post-handshake handshake message type "
                        + type + " from " + peer());
            }
            at += 4 + length;
        }
    }
    // end::alerts[]

    /** The kernel holds every received byte, decrypted or not, so the socket's readability says it all. */
    @Override
    public boolean inputPending() throws IOException {
        return eof || socket.readableNow();
    }

    @Override
    public boolean inputBuffered() {
        return eof;
    }

    @Override
    public boolean closeNotifyReceived() {
        return closeNotify;
    }

    @Override
    public String describe() {
        return kernel.describe();
    }

    // tag::close[]
    /**
     * Sends close_notify (RFC 8446 §6.1), best effort: a peer that has already gone is not an error here.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            sendRecord(RecordType.ALERT, new byte[] {1, 0}, Duration.ofSeconds(1));   // warning, close_notify
        } catch (IOException | RuntimeException ignored) {
            // The peer may be gone already; closing must not fail because of it.
        } finally {
            arena.close();
        }
    }

    /**
     * Sends {@code content} as one record of {@code type}: under kTLS TX a {@code sendmsg} with a
     * {@code SOL_TLS}/{@code TLS_SET_RECORD_TYPE} control message makes the kernel seal the payload as
     * that record type instead of application data.
     */
    public void sendRecord(RecordType type, byte[] content, Duration timeout) throws IOException {
        MemorySegment payload = arena.allocate(Math.max(1, content.length));
        MemorySegment.copy(content, 0, payload, JAVA_BYTE, 0, content.length);
        iovec.iov_base(iov, payload);
        iovec.iov_len(iov, content.length);
        control.fill((byte) 0);
        long cmsgLength = cmsghdr.layout().byteSize() + 1;
        cmsghdr.cmsg_len(control, cmsgLength);
        cmsghdr.cmsg_level(control, tls_h.SOL_TLS());
        cmsghdr.cmsg_type(control, tls_h.TLS_SET_RECORD_TYPE());
        control.set(JAVA_BYTE, cmsghdr.layout().byteSize(), (byte) type.code());
        message.fill((byte) 0);
        msghdr.msg_iov(message, iov);
        msghdr.msg_iovlen(message, 1);
        msghdr.msg_control(message, control);
        msghdr.msg_controllen(message, (cmsgLength + 7) & ~7L);   // CMSG_SPACE(1)
        socket.call("sendmsg", timeout, (entry, fd) -> entry.sendmsg(fd, message, socket_h.MSG_NOSIGNAL()));
    }
    // end::close[]

    private String peer() {
        return SocketAddresses.format(socket.remote());
    }

    private record Received(RecordType type, int length, byte[] content) {
    }
}
