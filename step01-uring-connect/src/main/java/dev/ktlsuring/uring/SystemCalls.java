package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.socket_h;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc entry points this project calls directly, each returning its result or throwing an
 * exception that names the call and its {@code errno}.
 *
 * <p>The jextract bindings provide the C layouts and constants, but their function wrappers cannot
 * read {@code errno}: a downcall must ask the linker to capture it ({@code captureCallState}) in the
 * same native frame, before the JVM itself makes another call that may overwrite it. So the calls are
 * linked here by hand, with the capture option. {@code syscall(2)} is variadic: its descriptor says so
 * with {@code firstVariadicArg(1)}, and every variadic argument is passed as a 64-bit value, which is
 * what the kernel's system-call ABI reads.
 */
public final class SystemCalls {

    /** {@code __NR_io_uring_setup}, {@code __NR_io_uring_enter}, {@code __NR_io_uring_register}: the same on x86-64 and arm64. */
    static final long NR_IO_URING_SETUP = 425, NR_IO_URING_ENTER = 426, NR_IO_URING_REGISTER = 427;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SYSCALL_3 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_4 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_6 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** The 8-byte counter increment an eventfd write adds: 1. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(JAVA_LONG, 1L);
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    /**
     * Room for the captured {@code errno}, lent to one call at a time: as many exist as calls ever ran
     * at once (allocated 64 at a time), never freed, so that no call allocates. (Per-thread room would be
     * allocated again by every new thread, virtual ones included, and freed only by the collector.)
     */
    private static final ConcurrentLinkedQueue<MemorySegment> CAPTURE_STATES = new ConcurrentLinkedQueue<>();

    private SystemCalls() {
    }

    /** {@code io_uring_setup(2)}: a new ring of {@code entries} slots, described back into {@code params}. */
    static int ioUringSetup(int entries, MemorySegment params) throws IOException {
        long r = call(errno -> (long) SYSCALL_3.invokeExact(errno, NR_IO_URING_SETUP, (long) entries, params));
        return (int) check(r, "io_uring_setup", null);
    }

    /**
     * {@code io_uring_enter(2)}: submit {@code toSubmit} queued entries and wait for {@code minComplete}
     * completions. Returns how many entries the kernel consumed; a negative value is {@code -errno}, left
     * to the caller because {@code EINTR} and {@code EAGAIN} only mean "call again".
     */
    static int ioUringEnter(int ringFd, int toSubmit, int minComplete, int flags) {
        return ioUringEnter(ringFd, toSubmit, minComplete, flags, MemorySegment.NULL);
    }

    /**
     * {@code io_uring_enter(2)} with an argument block: with {@code IORING_ENTER_EXT_ARG} in {@code flags},
     * {@code arg} is a {@code struct io_uring_getevents_arg}, and its size travels as the last argument.
     */
    static int ioUringEnter(int ringFd, int toSubmit, int minComplete, int flags, MemorySegment arg) {
        return (int) call(errno -> (long) SYSCALL_6.invokeExact(errno, NR_IO_URING_ENTER, (long) ringFd,
                (long) toSubmit, (long) minComplete, (long) flags, arg, arg.byteSize()));
    }

    /** {@code io_uring_register(2)} with an argument block of {@code count} entries. */
    static int ioUringRegister(int ringFd, int opcode, MemorySegment arg, int count) throws IOException {
        long r = call(errno -> (long) SYSCALL_4.invokeExact(errno, NR_IO_URING_REGISTER, (long) ringFd,
                (long) opcode, arg, (long) count));
        return (int) check(r, "io_uring_register", "opcode " + opcode);
    }

    /** {@code socket(2)}: a new socket file descriptor. */
    public static int socket(int domain, int type, int protocol) throws IOException {
        long r = call(errno -> (long) (int) SOCKET.invokeExact(errno, domain, type, protocol));
        return (int) check(r, "socket", null);
    }

    /**
     * {@code setsockopt(2)} with the option value in {@code value}. {@code what} names the option in the
     * error message, e.g. {@code "TCP_ULP tls"}.
     */
    public static void setsockopt(int fd, int level, int name, MemorySegment value, String what) throws IOException {
        long r = call(errno -> (long) (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, (int) value.byteSize()));
        check(r, "setsockopt", what);
    }

    /**
     * {@code setsockopt(2)} for callers that decide what a refusal means (kTLS setup turns some into a
     * fallback, not an error).
     *
     * @return 0 on success, else the positive {@code errno}
     */
    public static int trySetsockopt(int fd, int level, int name, MemorySegment value) {
        long r = call(errno -> (long) (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, (int) value.byteSize()));
        return r < 0 ? (int) -r : 0;
    }

    /** {@code setsockopt(2)} for an {@code int} option. */
    public static void setsockopt(int fd, int level, int name, int value, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, name, arena.allocateFrom(JAVA_INT, value), what);
        }
    }

    /** {@code getsockopt(2)} into {@code value}; returns the length the kernel wrote. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, String what) throws IOException {
                try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            long r = call(errno -> (long) (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, length));
            check(r, "getsockopt", what);
            return length.get(JAVA_INT, 0);
        }
    }

    /**
     * {@code close(2)}. Linux releases the descriptor even when close reports an error, so the error is
     * returned for the caller to report, never retried.
     *
     * @return 0, or the positive {@code errno}
     */
    public static int close(int fd) {
        long r = call(errno -> (long) (int) CLOSE.invokeExact(errno, fd));
        return r < 0 ? (int) -r : 0;
    }

    /**
     * {@code shutdown(fd, SHUT_RDWR)}: ends both directions of a connected socket, which wakes every
     * operation waiting on it (a receive returns 0) while the descriptor itself stays valid.
     *
     * @return 0, or the positive {@code errno} (ENOTCONN for a socket never or no longer connected)
     */
    static int shutdown(int fd) {
        long r = call(errno -> (long) (int) SHUTDOWN.invokeExact(errno, fd, socket_h.SHUT_RDWR()));
        return r < 0 ? (int) -r : 0;
    }

    /** {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a counter another thread can bump to wake a reader. */
    static int eventfd() throws IOException {
        long r = call(errno -> (long) (int) EVENTFD.invokeExact(errno, 0, socket_h.EFD_CLOEXEC() | socket_h.EFD_NONBLOCK()));
        return (int) check(r, "eventfd", null);
    }

    /**
     * Adds 1 to an eventfd's counter, which completes a read waiting on it. Never blocks: the counter
     * would have to reach 2^64 - 1 first.
     */
    static void signal(int eventFd) throws IOException {
        long r = call(errno -> (long) WRITE.invokeExact(errno, eventFd, ONE, 8L));
        check(r, "write", "eventfd");
    }

    /** {@code mmap(2)} of a shared region of {@code fd} at {@code offset}, readable and writable. */
    static MemorySegment mmapShared(int fd, long length, long offset, String what) throws IOException {
        // MAP_SHARED: the kernel and we see the same pages; MAP_POPULATE: fault them in now, not on first use.
        final int protReadWrite = socket_h.PROT_READ() | socket_h.PROT_WRITE();
        final int mapSharedPopulate = socket_h.MAP_SHARED() | socket_h.MAP_POPULATE();
        MemorySegment errno = takeCaptureState();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, protReadWrite,
                    mapSharedPopulate, fd, offset);
            if (address.address() == -1L) {      // MAP_FAILED
                throw Errno.exception("mmap", (int) ERRNO.get(errno, 0L), what);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            CAPTURE_STATES.offer(errno);
        }
        return address.reinterpret(length);
    }

    /** {@code getpagesize(2)}: the unit in which the kernel maps and pins memory (4 KiB on x86-64, up to 64 KiB on arm64). */
    static long pageSize() {
        return call(errno -> (long) (int) GETPAGESIZE.invokeExact(errno));
    }

    /** {@code munmap(2)}; a failure here means a bookkeeping bug, so it is an {@link IllegalStateException}. */
    static void munmap(MemorySegment region) {
        long r = call(errno -> (long) (int) MUNMAP.invokeExact(errno, region, region.byteSize()));
        if (r < 0) {
            throw new IllegalStateException("munmap: " + Errno.nameOf((int) -r));
        }
    }

    /** Throws the exception for a failed call ({@code result} is {@code -errno}), else returns the result. */
    private static long check(long result, String operation, String detail) throws IOException {
        if (result < 0) {
            throw Errno.exception(operation, (int) result, detail);
        }
        return result;
    }

    /** A downcall that takes the capture state as its first argument. */
    @FunctionalInterface
    private interface Downcall {
        long call(MemorySegment captureState) throws Throwable;
    }

    /**
     * Makes {@code downcall} with room for {@code errno}, and returns its result, or {@code -errno}
     * when it failed (a negative result: -1 for libc, {@code -errno} already for the raw system call).
     */
    private static long call(Downcall downcall) {
        MemorySegment state = takeCaptureState();
        try {
            long r = downcall.call(state);
            return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        } finally {
            CAPTURE_STATES.offer(state);
        }
    }

    private static MemorySegment takeCaptureState() {
        MemorySegment state = CAPTURE_STATES.poll();
        return state != null ? state : newCaptureStates();
    }

    /** 64 more capture states in one allocation: one for the caller, the rest for the pool. */
    private static MemorySegment newCaptureStates() {
        final int count = 64;
        MemorySegment slab = Arena.global().allocate(CAPTURE_LAYOUT, count);
        for (int i = 1; i < count; i++) {
            CAPTURE_STATES.offer(slab.asSlice(i * CAPTURE_LAYOUT.byteSize(), CAPTURE_LAYOUT));
        }
        return slab.asSlice(0, CAPTURE_LAYOUT);
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, all);
    }
}
