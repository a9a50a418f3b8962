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

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few system calls this project makes directly, each returning its result or throwing an
 * exception that names the call and its {@code errno}.
 *
 * <p>The jextract bindings provide the C layouts and constants, but their function wrappers cannot
 * read {@code errno}: a downcall must ask the linker to capture it ({@code captureCallState}) in the
 * same native frame, before the JVM itself makes another call that may overwrite it. So the calls are
 * linked here by hand, with the capture option.
 *
 * <p>Every call goes through libc's {@code syscall(2)}, with one downcall handle: linking a handle
 * generates code for its C signature, some tens of milliseconds each at a command line's start, and
 * one signature serves all. {@code syscall(2)} is variadic: its descriptor says so with
 * {@code firstVariadicArg(1)}, and every variadic argument is passed as a 64-bit value, which is what
 * the kernel's system-call ABI reads; arguments a call does not have are passed as 0 and ignored by the
 * kernel. Pointers go as the address of native memory ({@link #address}). The io_uring calls have the
 * same numbers on x86-64 and arm64; the older ones differ ({@link #number}).
 */
public final class SystemCalls {

    /** {@code __NR_io_uring_setup}, {@code __NR_io_uring_enter}, {@code __NR_io_uring_register}: the same on x86-64 and arm64. */
    static final long NR_IO_URING_SETUP = 425, NR_IO_URING_ENTER = 426, NR_IO_URING_REGISTER = 427;

    /** Whether this is arm64, whose older system calls have other numbers than x86-64's. */
    private static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
    /** The other numbers ({@code <asm/unistd.h>}): x86-64's, or arm64's (the generic table). */
    static final long NR_WRITE = number(1, 64), NR_CLOSE = number(3, 57), NR_MMAP = number(9, 222),
            NR_MUNMAP = number(11, 215), NR_SOCKET = number(41, 198), NR_SHUTDOWN = number(48, 210),
            NR_SETSOCKOPT = number(54, 208), NR_GETSOCKOPT = number(55, 209), NR_EVENTFD2 = number(290, 19);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code long syscall(long number, ...)} with six arguments, the most any call here takes. */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall")),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    /** The 8-byte counter increment an eventfd write adds: 1. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(JAVA_LONG, 1L);

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
        long r = syscall(NR_IO_URING_SETUP, entries, address(params), 0, 0, 0, 0);
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
        return (int) syscall(NR_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, address(arg), arg.byteSize());
    }

    /** {@code io_uring_register(2)} with an argument block of {@code count} entries. */
    static int ioUringRegister(int ringFd, int opcode, MemorySegment arg, int count) throws IOException {
        long r = syscall(NR_IO_URING_REGISTER, ringFd, opcode, address(arg), count, 0, 0);
        return (int) check(r, "io_uring_register", "opcode " + opcode);
    }

    /** {@code socket(2)}: a new socket file descriptor. */
    public static int socket(int domain, int type, int protocol) throws IOException {
        long r = syscall(NR_SOCKET, domain, type, protocol, 0, 0, 0);
        return (int) check(r, "socket", null);
    }

    /**
     * {@code setsockopt(2)} with the option value in {@code value}. {@code what} names the option in the
     * error message, e.g. {@code "TCP_ULP tls"}.
     */
    public static void setsockopt(int fd, int level, int name, MemorySegment value, String what) throws IOException {
        long r = syscall(NR_SETSOCKOPT, fd, level, name, address(value), value.byteSize(), 0);
        check(r, "setsockopt", what);
    }

    /**
     * {@code setsockopt(2)} for callers that decide what a refusal means (kTLS setup turns some into a
     * fallback, not an error).
     *
     * @return 0 on success, else the positive {@code errno}
     */
    public static int trySetsockopt(int fd, int level, int name, MemorySegment value) {
        long r = syscall(NR_SETSOCKOPT, fd, level, name, address(value), value.byteSize(), 0);
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
            long r = syscall(NR_GETSOCKOPT, fd, level, name, address(value), address(length), 0);
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
        long r = syscall(NR_CLOSE, fd, 0, 0, 0, 0, 0);
        return r < 0 ? (int) -r : 0;
    }

    /**
     * {@code shutdown(fd, SHUT_RDWR)}: ends both directions of a connected socket, which wakes every
     * operation waiting on it (a receive returns 0) while the descriptor itself stays valid.
     *
     * @return 0, or the positive {@code errno} (ENOTCONN for a socket never or no longer connected)
     */
    static int shutdown(int fd) {
        long r = syscall(NR_SHUTDOWN, fd, socket_h.SHUT_RDWR(), 0, 0, 0, 0);
        return r < 0 ? (int) -r : 0;
    }

    /** {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a counter another thread can bump to wake a reader. */
    static int eventfd() throws IOException {
        long r = syscall(NR_EVENTFD2, 0, socket_h.EFD_CLOEXEC() | socket_h.EFD_NONBLOCK(), 0, 0, 0, 0);
        return (int) check(r, "eventfd", null);
    }

    /**
     * Adds 1 to an eventfd's counter, which completes a read waiting on it. Never blocks: the counter
     * would have to reach 2^64 - 1 first.
     */
    static void signal(int eventFd) throws IOException {
        long r = syscall(NR_WRITE, eventFd, address(ONE), 8, 0, 0, 0);
        check(r, "write", "eventfd");
    }

    /** {@code mmap(2)} of a shared region of {@code fd} at {@code offset}, readable and writable. */
    static MemorySegment mmapShared(int fd, long length, long offset, String what) throws IOException {
        // MAP_SHARED: the kernel and we see the same pages; MAP_POPULATE: fault them in now, not on first use.
        final int protReadWrite = socket_h.PROT_READ() | socket_h.PROT_WRITE();
        final int mapSharedPopulate = socket_h.MAP_SHARED() | socket_h.MAP_POPULATE();
        long address = syscall(NR_MMAP, 0, length, protReadWrite, mapSharedPopulate, fd, offset);
        if (address < 0) {                          // MAP_FAILED: -errno here, as for every call
            throw Errno.exception("mmap", (int) address, what);
        }
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** {@code getpagesize(2)}: the unit in which the kernel maps and pins memory (4 KiB on x86-64, up to 64 KiB on arm64). */
    static long pageSize() {
        return PageSize.BYTES;
    }

    /** Linked on first use only: the command line never needs it, and each signature linked costs start-up. */
    private static final class PageSize {
        static final long BYTES;

        static {
            MethodHandle getpagesize = LINKER.downcallHandle(LINKER.defaultLookup().find("getpagesize")
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no getpagesize")), FunctionDescriptor.of(JAVA_INT));
            try {
                BYTES = (int) getpagesize.invokeExact();    // cannot fail (getpagesize(2))
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    /** {@code munmap(2)}; a failure here means a bookkeeping bug, so it is an {@link IllegalStateException}. */
    static void munmap(MemorySegment region) {
        long r = syscall(NR_MUNMAP, address(region), region.byteSize(), 0, 0, 0, 0);
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

    /**
     * {@code syscall(number, a, b, c, d, e, f)} with room for {@code errno}: the result, or
     * {@code -errno} when it failed (libc's wrapper returns -1 and sets {@code errno}).
     */
    private static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        MemorySegment state = takeCaptureState();
        try {
            long r = (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        } finally {
            CAPTURE_STATES.offer(state);
        }
    }

    /** The address of native memory, as a system call takes a pointer; memory on the Java heap has none. */
    private static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a system call needs native memory, not " + segment);
        }
        return segment.address();
    }

    /** x86-64's number for a system call, or arm64's on arm64. */
    private static long number(long x86, long arm64) {
        return ARM64 ? arm64 : x86;
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
}
