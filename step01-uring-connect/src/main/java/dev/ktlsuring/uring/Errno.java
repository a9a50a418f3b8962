package dev.ktlsuring.uring;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Linux error numbers that the socket and io_uring paths can meet, by their C names.
 *
 * <p>io_uring reports failures as a negative {@code errno} in the completion's {@code res} and plain
 * system calls report it through {@code errno}; either way the number alone tells a reader little, so
 * every failure is turned into an exception whose message reads {@code operation: ENAME (detail)},
 * e.g. {@code connect: ECONNREFUSED (127.0.0.1:9)}. The numbers are the x86-64/arm64 "asm-generic"
 * ones; {@code ErrnoTest} checks each against {@code <errno.h>} with gcc.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11),
    ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), EINVAL(22), ENFILE(23),
    EMFILE(24), ENOTTY(25), ENOSPC(28), EPIPE(32), ERANGE(34), ENOSYS(38), ETIME(62), EPROTO(71),
    EBADMSG(74), EOVERFLOW(75), ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90), EPROTOTYPE(91),
    ENOPROTOOPT(92), EPROTONOSUPPORT(93), EOPNOTSUPP(95), EAFNOSUPPORT(97), EADDRINUSE(98),
    EADDRNOTAVAIL(99), ENETDOWN(100), ENETUNREACH(101), ENETRESET(102), ECONNABORTED(103),
    ECONNRESET(104), ENOBUFS(105), EISCONN(106), ENOTCONN(107), ESHUTDOWN(108), ETIMEDOUT(110),
    ECONNREFUSED(111), EHOSTDOWN(112), EHOSTUNREACH(113), EALREADY(114), EINPROGRESS(115),
    ECANCELED(125), ENOKEY(126), EKEYEXPIRED(127);

    private static final Errno[] BY_NUMBER = new Errno[128];

    static {
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The positive error number, as in {@code errno}. */
    public int number() {
        return number;
    }

    /** The C name of {@code number} ({@code "ECONNREFUSED"}), or {@code "errno 200"} for one not listed here. */
    public static String nameOf(int number) {
        int n = Math.abs(number);
        Errno e = n < BY_NUMBER.length ? BY_NUMBER[n] : null;
        return e != null ? e.name() : "errno " + n;
    }

    /**
     * Whether an io_uring completion result or a system call's raw return is this error: {@code -errno}.
     * Only a negative value can be: a non-negative result is a count or a descriptor, so an 11-byte
     * read is never mistaken for {@code EAGAIN}.
     */
    public boolean isResult(int result) {
        return result == -number;
    }

    /** Whether a positive {@code errno}, as a system call leaves it, is this error. */
    public boolean isErrno(int errno) {
        return errno == number;
    }

    /**
     * The exception a caller should see for a failed {@code operation}: the Java type that matches the
     * error (so {@code catch (ConnectException e)} works as with {@code java.net}), and a message naming
     * the operation, the errno and what it was applied to.
     *
     * @param operation what failed, e.g. {@code "connect"}
     * @param result    the negative io_uring result or the positive {@code errno}
     * @param detail    what it was applied to (an address, an option), or {@code null}
     */
    public static IOException exception(String operation, int result, String detail) {
        int n = Math.abs(result);
        String message = operation + ": " + nameOf(n) + (detail == null ? "" : " (" + detail + ")");
        Errno e = n < BY_NUMBER.length ? BY_NUMBER[n] : null;
        if (e == null) {
            return new IOException(message);
        }
        return switch (e) {
            case ECONNREFUSED -> new ConnectException(message);
            case ETIMEDOUT, ETIME -> new SocketTimeoutException(message);
            case ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ENETDOWN -> new NoRouteToHostException(message);
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(message);
            case EINTR -> new InterruptedIOException(message);
            case ECONNRESET, ECONNABORTED, EPIPE, ENOTCONN, ESHUTDOWN, ENETRESET -> new SocketException(message);
            default -> operation.equals("connect") ? new ConnectException(message) : new IOException(message);
        };
    }
}
