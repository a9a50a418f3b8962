package dev.ktlsuring.uring;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ktlsuring.uring.abi.socket_h.AF_INET;
import static dev.ktlsuring.uring.abi.socket_h.AF_INET6;
import static dev.ktlsuring.uring.abi.socket_h.IPPROTO_TCP;
import static dev.ktlsuring.uring.abi.socket_h.MSG_NOSIGNAL;
import static dev.ktlsuring.uring.abi.socket_h.MSG_WAITALL;
import static dev.ktlsuring.uring.abi.socket_h.POLLIN;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_CLOEXEC;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_STREAM;
import static dev.ktlsuring.uring.abi.socket_h.TCP_NODELAY;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SOCKET;

/**
 * A connected TCP socket whose every operation (socket creation where the kernel allows it, connect,
 * send, receive) is an io_uring submission, run by an {@link EventLoop}.
 *
 * <p>The socket owns its descriptor; the loop is shared by many sockets and closed by whoever started
 * it. Any thread may use the socket and any thread may close it, also while another waits on it.
 * A descriptor number is reused by the next {@code open} as soon as it is closed, so an operation in
 * flight must never see its number closed under it: every operation holds the socket open until it
 * completes, and {@link #close} with operations in flight shuts the connection down, which ends
 * them, and leaves the descriptor to the last one to finish.
 */
public final class UringSocket implements AutoCloseable {

    // tag::connect-host[]
    /**
     * Resolves {@code host} and connects to the first of its addresses that accepts, all attempts
     * together bounded by {@code timeout}.
     *
     * @throws UnknownHostException if the name does not resolve
     * @throws java.net.ConnectException if every address refuses
     * @throws SocketTimeoutException if the time ran out
     */
    public static UringSocket connect(EventLoop loop, String host, int port, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetAddress[] candidates = InetAddress.getAllByName(host);
        IOException last = null;
        for (InetAddress address : candidates) {
            try {
                return connect(loop, new InetSocketAddress(address, port), deadline, timeout);
            } catch (IOException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
                if (e instanceof SocketTimeoutException) {
                    break;              // the time is up for every address, not just this one
                }
            }
        }
        throw last;
    }
    // end::connect-host[]

    /** Connects to one resolved address: IORING_OP_SOCKET, then IORING_OP_CONNECT bounded by {@code timeout}. */
    public static UringSocket connect(EventLoop loop, InetSocketAddress remote, Duration timeout) throws IOException {
        return connect(loop, remote, System.nanoTime() + timeout.toNanos(), timeout);
    }

    // tag::connect[]
    private static UringSocket connect(EventLoop loop, InetSocketAddress remote, long deadline, Duration limit)
            throws IOException {
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostString());
        }
        String where = SocketAddresses.format(remote);
        int domain = remote.getAddress() instanceof Inet6Address ? AF_INET6() : AF_INET();
        int fd = openSocket(loop, domain);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = SocketAddresses.encode(remote, arena);
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            int res = loop.execute(entry -> entry.connect(fd, sockaddr), left, "connect (" + where + ")");
            if (Errno.ETIME.isResult(res)) {
                throw new SocketTimeoutException("connect: timed out after " + limit.toMillis() + " ms (" + where + ")");
            }
            if (res < 0) {
                throw Errno.exception("connect", res, where);
            }
            // HTTP requests are small writes followed by a read: don't let Nagle hold them back.
            SystemCalls.setsockopt(fd, IPPROTO_TCP(), TCP_NODELAY(), 1, "TCP_NODELAY");
            return new UringSocket(loop, fd, remote);
        } catch (IOException | RuntimeException e) {
            SystemCalls.close(fd);
            throw e;
        }
    }
    // end::connect[]

    private static int openSocket(EventLoop loop, int domain) throws IOException {
        int type = SOCK_STREAM() | SOCK_CLOEXEC();
        if (loop.supports(IORING_OP_SOCKET())) {
            return loop.call(entry -> entry.socket(domain, type, 0), null, "socket", null);
        }
        return SystemCalls.socket(domain, type, 0); // kernels before 5.19
    }

    /** Bit 31 of {@link #state}: closed. Bits 0-30: operations in flight. */
    private static final int CLOSED = 1 << 31;

    private final EventLoop loop;
    private final int fd;
    private final InetSocketAddress remote;
    private final AtomicInteger state = new AtomicInteger();
    /** Whether {@link #sendThen} may use MSG_WAITALL; false once the socket refused it. */
    private volatile boolean waitAllSends = true;

    private UringSocket(EventLoop loop, int fd, InetSocketAddress remote) {
        this.loop = loop;
        this.fd = fd;
        this.remote = remote;
    }

    /** Prepares one operation on this socket's descriptor. */
    @FunctionalInterface
    public interface SocketOperation {
        void prepare(SubmissionEntry entry, int fd);
    }

    // tag::io[]
    /**
     * Sends bytes from {@code data}; returns how many the kernel took (possibly fewer than offered).
     * {@code MSG_NOSIGNAL}: a peer that has gone away is reported by EPIPE alone, not also by a SIGPIPE
     * (which HotSpot ignores, and io_uring suppresses itself since Linux 5.12).
     */
    public int send(MemorySegment data, Duration timeout) throws IOException {
        return call("send", timeout, (entry, fd) -> entry.send(fd, data, MSG_NOSIGNAL()));
    }

    /** Sends all of {@code data}, resubmitting after partial sends. */
    public void sendFully(MemorySegment data, Duration timeout) throws IOException {
        for (long sent = 0; sent < data.byteSize(); ) {
            sent += send(data.asSlice(sent), timeout);
        }
    }

    /** Receives into {@code buffer}; returns the byte count, 0 at end of stream. */
    public int recv(MemorySegment buffer, Duration timeout) throws IOException {
        return call("recv", timeout, (entry, fd) -> entry.recv(fd, buffer, 0));
    }
    // end::io[]

    /** Receives exactly {@code buffer.byteSize()} bytes, or throws {@link EOFException} if the stream ends first. */
    public void recvFully(MemorySegment buffer, Duration timeout) throws IOException {
        for (long got = 0; got < buffer.byteSize(); ) {
            int n = recv(buffer.asSlice(got), timeout);
            if (n == 0) {
                throw new EOFException("recv: connection closed after " + got + " of "
                        + buffer.byteSize() + " bytes (" + describe() + ")");
            }
            got += n;
        }
    }

    // tag::linked[]
    /**
     * Sends all of {@code data}, then runs {@code then} (a receive): the last send and {@code then} go to
     * the kernel as one linked pair, so the receive is already waiting when the reply comes, without a
     * trip through the loop in between. Returns {@code then}'s raw result, as {@link #execute} does.
     */
    public int sendThen(MemorySegment data, String operation, Duration timeout, SocketOperation then)
            throws IOException {
        int fd = acquire("send");
        try {
            // MSG_WAITALL makes io_uring finish a short send itself and count one it cannot finish a
            // failure; then the send's completion can be skipped, the receive's standing for both.
            boolean waitAll = waitAllSends && loop.canSkipCompletions();
            int[] results = loop.executeLinked(entry -> {
                        entry.send(fd, data, MSG_NOSIGNAL() | (waitAll ? MSG_WAITALL() : 0));
                        if (waitAll) {
                            entry.skipCompletionOnSuccess();
                        }
                    }, (int) data.byteSize(),
                    entry -> then.prepare(entry, fd), timeout, "send+" + operation + " (" + describe() + ")");
            if (waitAll && Errno.EOPNOTSUPP.isResult(results[0])) {
                // An upper-layer protocol on the socket refuses the flag before taking a byte (kTLS's
                // sendmsg accepts only MSG_MORE, MSG_DONTWAIT, MSG_NOSIGNAL and MSG_EOR): do without.
                waitAllSends = false;
                return sendThen(data, operation, timeout, then);
            }
            int sent = checked("send", results[0], timeout);
            if (sent < data.byteSize()) {
                // The loop cancelled the receive (see EventLoop.executeLinked): finish the send the
                // plain way, then receive, unless the reply came first.
                sendFully(data.asSlice(sent), timeout);
                return Errno.ECANCELED.isResult(results[1]) ? execute(operation, timeout, then) : results[1];
            }
            return results[1];
        } finally {
            release();
        }
    }

    /** Sends without MSG_WAITALL from now on, as after a refusal: the path kTLS sockets take, for tests on any kernel. */
    void sendWithoutWaitAll() {
        waitAllSends = false;
    }

    /**
     * Starts watching for input while nobody reads: the returned operation completes when bytes, the
     * end of the stream or an error arrive. It holds the socket open until it completes; cancel it
     * before reading.
     */
    public EventLoop.Pending watchReadable() throws IOException {
        int fd = acquire("poll");
        try {
            return loop.submit(entry -> entry.pollAdd(fd, POLLIN()), "poll (" + describe() + ")", result -> release());
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }
    // end::linked[]

    /**
     * Runs one operation on this socket's descriptor and returns its raw result ({@code -errno} on
     * failure, {@code -ETIME} on timeout), for callers that read particular errors themselves.
     *
     * @throws SocketException if the socket is closed
     */
    public int execute(String operation, Duration timeout, SocketOperation op) throws IOException {
        int fd = acquire(operation);
        try {
            return loop.execute(entry -> op.prepare(entry, fd), timeout, operation + " (" + describe() + ")");
        } finally {
            release();
        }
    }

    /** Like {@link #execute}, with a negative result turned into the exception that names it. */
    public int call(String operation, Duration timeout, SocketOperation op) throws IOException {
        return checked(operation, execute(operation, timeout, op), timeout);
    }

    /**
     * {@code result}, the raw result of {@code operation} on this socket, if it is not negative; else
     * the exception that names it: a socket closed meanwhile, a timeout, or the errno.
     */
    public int checked(String operation, int result, Duration timeout) throws IOException {
        if (isClosed() && result <= 0) {
            // Closed by another thread while this waited: the shutdown ended the wait, not the peer.
            throw new SocketException(operation + ": socket closed (" + describe() + ")");
        }
        if (result >= 0) {
            return result;
        }
        if (isClosed()) {
            throw new SocketException(operation + ": socket closed (" + describe() + ")");
        }
        if (Errno.ETIME.isResult(result) && timeout != null) {
            throw new SocketTimeoutException(operation + ": timed out after " + timeout.toMillis() + " ms ("
                    + describe() + ")");
        }
        throw Errno.exception(operation, result, describe());
    }

    /**
     * Whether a read would not block right now: bytes, the end of the stream or an error are waiting.
     * Never waits: an {@code IORING_OP_POLL_ADD} for POLLIN completes at submission when the socket is
     * readable, and a deadline of now cancels it when it is not.
     */
    public boolean readableNow() throws IOException {
        int res = execute("poll", Duration.ZERO, (entry, fd) -> entry.pollAdd(fd, POLLIN()));
        if (res >= 0) {
            return true;
        }
        if (Errno.ETIME.isResult(res) || Errno.ECANCELED.isResult(res)) {
            return false;
        }
        throw Errno.exception("poll", res, describe());
    }

    /** The loop this socket's operations run on. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * The socket's file descriptor, for socket options such as TCP_ULP. Use it only while no one can
     * close the socket.
     */
    public int fd() {
        if (isClosed()) {
            throw new IllegalStateException("socket is closed (" + describe() + ")");
        }
        return fd;
    }

    /** The address this socket is connected to. */
    public InetSocketAddress remote() {
        return remote;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    // tag::close[]
    /**
     * Closes the socket. Operations in flight end: a shutdown makes them complete, and the last one to
     * finish closes the descriptor. An error from close(2) is reported, though the descriptor is
     * released anyway.
     */
    @Override
    public void close() throws SocketException {
        // Take a reference while closing, so that the descriptor stays ours until the shutdown is done.
        int s = state.getAndUpdate(v -> (v & CLOSED) != 0 ? v : (v + 1) | CLOSED);
        if ((s & CLOSED) != 0) {
            return;
        }
        if (s != 0) {
            SystemCalls.shutdown(fd);     // wakes the operations in flight; the descriptor stays valid
        }
        int errno = release();
        if (errno != 0) {
            throw new SocketException("close: " + Errno.nameOf(errno) + " (" + describe() + ")");
        }
    }

    private int acquire(String operation) throws SocketException {
        int s = state.getAndUpdate(v -> (v & CLOSED) != 0 ? v : v + 1);
        if ((s & CLOSED) != 0) {
            throw new SocketException(operation + ": socket closed (" + describe() + ")");
        }
        return fd;
    }

    /** Drops one reference; the last one after {@link #close} closes the descriptor. Returns close's errno. */
    private int release() {
        return state.decrementAndGet() == CLOSED ? SystemCalls.close(fd) : 0;
    }
    // end::close[]

    private String describe() {
        return SocketAddresses.format(remote);
    }

    @Override
    public String toString() {
        return "UringSocket[fd=" + fd + ", remote=" + describe() + (isClosed() ? ", closed" : "") + "]";
    }
}
