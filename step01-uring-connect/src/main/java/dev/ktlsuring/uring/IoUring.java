package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.__kernel_timespec;
import dev.ktlsuring.uring.abi.io_cqring_offsets;
import dev.ktlsuring.uring.abi.io_sqring_offsets;
import dev.ktlsuring.uring.abi.io_uring_cqe;
import dev.ktlsuring.uring.abi.io_uring_params;
import dev.ktlsuring.uring.abi.io_uring_probe;
import dev.ktlsuring.uring.abi.io_uring_probe_op;
import dev.ktlsuring.uring.abi.io_uring_sqe;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_ENTER_GETEVENTS;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_FEAT_SINGLE_MMAP;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_CQ_RING;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_SQES;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_SQ_RING;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_LINK_TIMEOUT;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_REGISTER_PROBE;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_SETUP_CLAMP;
import static dev.ktlsuring.uring.abi.io_uring_h.IOSQE_IO_LINK;
import static dev.ktlsuring.uring.abi.io_uring_h.IO_URING_OP_SUPPORTED;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An io_uring instance: a submission queue and a completion queue shared with the kernel, used here to
 * run one socket operation at a time, optionally bounded by a linked timeout.
 *
 * <p>The two queues are ring buffers in memory mapped from the ring's file descriptor. Userspace
 * produces submission entries (SQEs) and advances the SQ tail; the kernel consumes them, advances the
 * SQ head, and produces completion entries (CQEs) at the CQ tail, which userspace consumes by advancing
 * the CQ head. Each side publishes an index only after the entries it covers are written, so the
 * index stores use release semantics and the loads of the other side's index use acquire semantics
 * (the same pairing liburing uses with {@code smp_store_release}/{@code smp_load_acquire}).
 *
 * <p>An {@code IoUring} is not thread-safe: one thread at a time drives it.
 */
public final class IoUring implements AutoCloseable {

    // tag::setup[]
    /**
     * Creates a ring with room for {@code entries} submissions.
     *
     * @throws UringUnavailableException if this kernel or its policy does not allow io_uring
     */
    public static IoUring open(int entries) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment params = arena.allocate(io_uring_params.layout());
            // CLAMP: a kernel with a smaller limit gives us its maximum rather than EINVAL.
            io_uring_params.flags(params, IORING_SETUP_CLAMP());
            int ringFd;
            try {
                ringFd = SystemCalls.ioUringSetup(entries, params);
            } catch (IOException e) {
                throw UringUnavailableException.from(e);
            }
            return new IoUring(ringFd, params, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }
    // end::setup[]

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long SQE_SIZE = io_uring_sqe.layout().byteSize();
    private static final long CQE_SIZE = io_uring_cqe.layout().byteSize();
    private static final long USER_DATA_OPERATION = 1, USER_DATA_TIMEOUT = 2;

    private final int ringFd;
    private final Arena arena;
    private final MemorySegment sqRing, cqRing, sqes;
    private final long sqHeadOffset, sqTailOffset, cqHeadOffset, cqTailOffset, cqesOffset;
    private final int sqMask, cqMask;
    private final MemorySegment timespec;
    private final boolean[] supportedOps;
    private int sqTail;     // our copy of the SQ tail, published with release semantics
    private boolean closed;

    private IoUring(int ringFd, MemorySegment params, Arena arena) throws IOException {
        this.ringFd = ringFd;
        this.arena = arena;
        MemorySegment sqOff = io_uring_params.sq_off(params);
        MemorySegment cqOff = io_uring_params.cq_off(params);
        int sqEntries = io_uring_params.sq_entries(params);
        int cqEntries = io_uring_params.cq_entries(params);
        long sqRingSize = io_sqring_offsets.array(sqOff) + (long) sqEntries * Integer.BYTES;
        long cqRingSize = io_cqring_offsets.cqes(cqOff) + (long) cqEntries * CQE_SIZE;
        MemorySegment sq = null, cq = null, entries = null;
        try {
            // tag::mmap[]
            // Since 5.4 (IORING_FEAT_SINGLE_MMAP) both rings live in one mapping at IORING_OFF_SQ_RING.
            boolean single = (io_uring_params.features(params) & IORING_FEAT_SINGLE_MMAP()) != 0;
            if (single) {
                sq = cq = SystemCalls.mmapShared(ringFd, Math.max(sqRingSize, cqRingSize), IORING_OFF_SQ_RING(), "SQ/CQ rings");
            } else {
                sq = SystemCalls.mmapShared(ringFd, sqRingSize, IORING_OFF_SQ_RING(), "SQ ring");
                cq = SystemCalls.mmapShared(ringFd, cqRingSize, IORING_OFF_CQ_RING(), "CQ ring");
            }
            entries = SystemCalls.mmapShared(ringFd, sqEntries * SQE_SIZE, IORING_OFF_SQES(), "SQE array");
            // end::mmap[]
        } catch (IOException e) {
            unmap(sq, cq, entries);
            SystemCalls.close(ringFd);
            throw e;
        }
        this.sqRing = sq;
        this.cqRing = cq;
        this.sqes = entries;
        this.sqHeadOffset = io_sqring_offsets.head(sqOff);
        this.sqTailOffset = io_sqring_offsets.tail(sqOff);
        this.sqMask = sqRing.get(JAVA_INT, io_sqring_offsets.ring_mask(sqOff));
        this.cqHeadOffset = io_cqring_offsets.head(cqOff);
        this.cqTailOffset = io_cqring_offsets.tail(cqOff);
        this.cqesOffset = io_cqring_offsets.cqes(cqOff);
        this.cqMask = cqRing.get(JAVA_INT, io_cqring_offsets.ring_mask(cqOff));
        this.sqTail = sqRing.get(JAVA_INT, sqTailOffset);
        // The SQ "array" maps ring slots to SQE indexes; an identity map lets slot i always use SQE i.
        long array = io_sqring_offsets.array(sqOff);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.setAtIndex(JAVA_INT, array / Integer.BYTES + i, i);
        }
        this.timespec = arena.allocate(__kernel_timespec.layout());
        this.supportedOps = probe();
    }

    /** Whether this kernel implements {@code opcode} (an {@code IORING_OP_*} value), as reported by IORING_REGISTER_PROBE. */
    public boolean supports(int opcode) {
        return opcode >= 0 && opcode < supportedOps.length && supportedOps[opcode];
    }

    /** Fills one submission entry. The entry arrives zeroed. */
    @FunctionalInterface
    public interface Preparation {
        void prepare(SubmissionEntry entry);
    }

    // tag::execute[]
    /**
     * Submits one operation and waits for its completion, returning the completion's result: a count
     * or descriptor when non-negative, {@code -errno} when negative. With a {@code timeout}, a linked
     * {@code IORING_OP_LINK_TIMEOUT} cancels the operation when it runs out; the result is then
     * {@code -ETIME}.
     */
    public int submitAndWait(Preparation operation, Duration timeout) throws IOException {
        ensureOpen();
        SubmissionEntry op = nextEntry(USER_DATA_OPERATION);
        operation.prepare(op);
        int expected = 1;
        if (timeout != null) {
            // IOSQE_IO_LINK ties the next entry to this one: the timeout starts when the operation does,
            // and whichever finishes first cancels the other (both still post a completion).
            op.flags(op.flags() | IOSQE_IO_LINK());
            __kernel_timespec.tv_sec(timespec, timeout.getSeconds());
            __kernel_timespec.tv_nsec(timespec, timeout.getNano());
            nextEntry(USER_DATA_TIMEOUT).prepare(IORING_OP_LINK_TIMEOUT(), -1, timespec.address(), 1, 0);
            expected = 2;
        }
        publishSubmissions();

        int result = 0;
        boolean timedOut = false;
        for (int seen = 0; seen < expected; ) {
            enter(expected - seen);
            for (int head = (int) INT.getAcquire(cqRing, cqHeadOffset), tail = (int) INT.getAcquire(cqRing, cqTailOffset);
                 head != tail; head++) {
                MemorySegment cqe = cqRing.asSlice(cqesOffset + (head & cqMask) * CQE_SIZE, CQE_SIZE);
                long userData = io_uring_cqe.user_data(cqe);
                int res = io_uring_cqe.res(cqe);
                INT.setRelease(cqRing, cqHeadOffset, head + 1);
                if (userData == USER_DATA_OPERATION) {
                    result = res;
                } else if (userData == USER_DATA_TIMEOUT) {
                    timedOut = Errno.ETIME.is(res);
                }
                seen++;
            }
        }
        // A cancelled operation reports ECANCELED (or EINTR for some ops): the timeout is the real cause.
        return timedOut && result < 0 ? -Errno.ETIME.number() : result;
    }
    // end::execute[]

    /**
     * Like {@link #submitAndWait} but turns a negative result into the matching exception, naming
     * {@code operation} and {@code detail}; a timeout becomes {@link SocketTimeoutException}.
     */
    public int call(Preparation preparation, Duration timeout, String operation, String detail) throws IOException {
        int res = submitAndWait(preparation, timeout);
        if (res >= 0) {
            return res;
        }
        if (timeout != null && Errno.ETIME.is(res)) {
            throw new SocketTimeoutException(operation + ": timed out after " + timeout.toMillis() + " ms"
                    + (detail == null ? "" : " (" + detail + ")"));
        }
        throw Errno.exception(operation, res, detail);
    }

    /** Releases the mappings and the ring descriptor. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(sqRing, cqRing, sqes);
        SystemCalls.close(ringFd);
        arena.close();
    }

    private SubmissionEntry nextEntry(long userData) {
        int head = (int) INT.getAcquire(sqRing, sqHeadOffset);
        if (sqTail - head > sqMask) {
            throw new IllegalStateException("submission queue full");
        }
        MemorySegment sqe = sqes.asSlice((sqTail & sqMask) * SQE_SIZE, SQE_SIZE);
        sqTail++;
        sqe.fill((byte) 0);
        io_uring_sqe.user_data(sqe, userData);
        return new SubmissionEntry(sqe);
    }

    private void publishSubmissions() {
        INT.setRelease(sqRing, sqTailOffset, sqTail);
    }

    /** Hands the kernel whatever it has not consumed yet and waits for {@code minComplete} completions. */
    private void enter(int minComplete) throws IOException {
        while (true) {
            int unsubmitted = sqTail - (int) INT.getAcquire(sqRing, sqHeadOffset);
            int r = SystemCalls.ioUringEnter(ringFd, unsubmitted, minComplete, IORING_ENTER_GETEVENTS());
            if (r >= 0) {
                return;
            }
            if (!Errno.EINTR.is(r) && !Errno.EAGAIN.is(r) && !Errno.EBUSY.is(r)) {
                throw Errno.exception("io_uring_enter", r, null);
            }
            if (!Errno.EINTR.is(r)) {
                Thread.onSpinWait();
            }
        }
    }

    private boolean[] probe() throws IOException {
        final int maxOps = 256;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment probe = scratch.allocate(io_uring_probe.layout().byteSize()
                    + maxOps * io_uring_probe_op.layout().byteSize(), 8);
            SystemCalls.ioUringRegister(ringFd, IORING_REGISTER_PROBE(), probe, maxOps);
            int count = Byte.toUnsignedInt(io_uring_probe.ops_len(probe));
            boolean[] supported = new boolean[maxOps];
            for (int i = 0; i < count; i++) {
                // ops[] is a flexible array member right after the fixed header.
                MemorySegment op = probe.asSlice(io_uring_probe.ops$offset() + i * io_uring_probe_op.sizeof(),
                        io_uring_probe_op.sizeof());
                if ((io_uring_probe_op.flags(op) & IO_URING_OP_SUPPORTED()) != 0) {
                    supported[Byte.toUnsignedInt(io_uring_probe_op.op(op))] = true;
                }
            }
            return supported;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ring is closed");
        }
    }

    private static void unmap(MemorySegment sq, MemorySegment cq, MemorySegment entries) {
        if (sq != null) {
            SystemCalls.munmap(sq);
        }
        if (cq != null && cq != sq) {
            SystemCalls.munmap(cq);
        }
        if (entries != null) {
            SystemCalls.munmap(entries);
        }
    }

    /** Whether io_uring is switched off by {@code kernel.io_uring_disabled} (kernels 6.6+), for error messages. */
    static String disabledSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
