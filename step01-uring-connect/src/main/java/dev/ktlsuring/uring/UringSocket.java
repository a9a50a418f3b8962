package dev.ktlsuring.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;

import static dev.ktlsuring.uring.abi.socket_h.AF_INET;
import static dev.ktlsuring.uring.abi.socket_h.AF_INET6;
import static dev.ktlsuring.uring.abi.socket_h.IPPROTO_TCP;
import static dev.ktlsuring.uring.abi.socket_h.MSG_NOSIGNAL;
import static dev.ktlsuring.uring.abi.socket_h.POLLIN;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_CLOEXEC;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_STREAM;
import static dev.ktlsuring.uring.abi.socket_h.TCP_NODELAY;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SOCKET;

/**
 * A connected TCP socket whose every operation — socket creation where the kernel allows it, connect,
 * send, receive — is an io_uring submission.
 *
 * <p>The socket owns its descriptor, not the ring: the same ring may serve several sockets one after
 * another, and is closed by whoever opened it.
 */
public final class UringSocket implements AutoCloseable {

    // tag::connect-host[]
    /**
     * Resolves {@code host} and connects to the first of its addresses that accepts, each attempt
     * bounded by {@code timeout}.
     *
     * @throws UnknownHostException if the name does not resolve
     * @throws java.net.ConnectException if every address refuses
     * @throws java.net.SocketTimeoutException if the last attempt ran out of time
     */
    public static UringSocket connect(IoUring ring, String host, int port, Duration timeout) throws IOException {
        InetAddress[] candidates = InetAddress.getAllByName(host);
        IOException last = null;
        for (InetAddress address : candidates) {
            try {
                return connect(ring, new InetSocketAddress(address, port), timeout);
            } catch (IOException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }
    // end::connect-host[]

    // tag::connect[]
    /** Connects to one resolved address: IORING_OP_SOCKET, then IORING_OP_CONNECT with a linked timeout. */
    public static UringSocket connect(IoUring ring, InetSocketAddress remote, Duration timeout) throws IOException {
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostString());
        }
        int domain = remote.getAddress() instanceof java.net.Inet6Address ? AF_INET6() : AF_INET();
        int fd = openSocket(ring, domain);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = SocketAddresses.encode(remote, arena);
            ring.call(entry -> entry.connect(fd, sockaddr), timeout, "connect", SocketAddresses.format(remote));
            // HTTP requests are small writes followed by a read: don't let Nagle hold them back.
            SystemCalls.setsockopt(fd, IPPROTO_TCP(), TCP_NODELAY(), 1, "TCP_NODELAY");
            return new UringSocket(ring, fd, remote);
        } catch (IOException | RuntimeException e) {
            SystemCalls.close(fd);
            throw e;
        }
    }
    // end::connect[]

    private static int openSocket(IoUring ring, int domain) throws IOException {
        int type = SOCK_STREAM() | SOCK_CLOEXEC();
        if (ring.supports(IORING_OP_SOCKET())) {
            return ring.call(entry -> entry.socket(domain, type, 0), null, "socket", null);
        }
        return SystemCalls.socket(domain, type, 0); // kernels before 5.19
    }

    private final IoUring ring;
    private final int fd;
    private final InetSocketAddress remote;
    private boolean closed;

    private UringSocket(IoUring ring, int fd, InetSocketAddress remote) {
        this.ring = ring;
        this.fd = fd;
        this.remote = remote;
    }

    // tag::io[]
    /**
     * Sends bytes from {@code data}; returns how many the kernel took (possibly fewer than offered).
     * {@code MSG_NOSIGNAL}: a peer that has gone away yields EPIPE, not a process-killing SIGPIPE.
     */
    public int send(MemorySegment data, Duration timeout) throws IOException {
        return ring.call(entry -> entry.send(fd, data, MSG_NOSIGNAL()), timeout, "send", describe());
    }

    /** Sends all of {@code data}, resubmitting after partial sends. */
    public void sendFully(MemorySegment data, Duration timeout) throws IOException {
        for (long sent = 0; sent < data.byteSize(); ) {
            sent += send(data.asSlice(sent), timeout);
        }
    }

    /** Receives into {@code buffer}; returns the byte count, 0 at end of stream. */
    public int recv(MemorySegment buffer, Duration timeout) throws IOException {
        return ring.call(entry -> entry.recv(fd, buffer, 0), timeout, "recv", describe());
    }
    // end::io[]

    /**
     * Whether a read would not block right now: bytes, the end of the stream or an error are waiting.
     * Never waits: an {@code IORING_OP_POLL_ADD} for POLLIN completes at submission when the socket is
     * readable, and a linked timeout of zero cancels it when it is not.
     */
    public boolean readableNow() throws IOException {
        int res = ring.submitAndWait(entry -> entry.pollAdd(fd, POLLIN()), Duration.ZERO);
        if (Errno.ETIME.is(res)) {
            return false;
        }
        if (res < 0) {
            throw Errno.exception("poll", res, describe());
        }
        return true;
    }

    /** Receives exactly {@code buffer.byteSize()} bytes, or throws {@link java.io.EOFException} if the stream ends first. */
    public void recvFully(MemorySegment buffer, Duration timeout) throws IOException {
        for (long got = 0; got < buffer.byteSize(); ) {
            int n = recv(buffer.asSlice(got), timeout);
            if (n == 0) {
                throw new java.io.EOFException("recv: connection closed after " + got + " of "
                        + buffer.byteSize() + " bytes (" + describe() + ")");
            }
            got += n;
        }
    }

    /** The ring this socket submits to. */
    public IoUring ring() {
        return ring;
    }

    /** The socket's file descriptor, for socket options such as TCP_ULP. */
    public int fd() {
        if (closed) {
            throw new IllegalStateException("socket is closed");
        }
        return fd;
    }

    /** The address this socket is connected to. */
    public InetSocketAddress remote() {
        return remote;
    }

    /** Closes the descriptor; an error from close(2) is reported, though the descriptor is released anyway. */
    @Override
    public void close() throws SocketException {
        if (closed) {
            return;
        }
        closed = true;
        int errno = SystemCalls.close(fd);
        if (errno != 0) {
            throw new SocketException("close: " + Errno.nameOf(errno) + " (" + describe() + ")");
        }
    }

    private String describe() {
        return SocketAddresses.format(remote);
    }

    @Override
    public String toString() {
        return "UringSocket[fd=" + fd + ", remote=" + describe() + (closed ? ", closed" : "") + "]";
    }
}
