package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.__kernel_timespec;
import dev.ktlsuring.uring.abi.io_cqring_offsets;
import dev.ktlsuring.uring.abi.io_sqring_offsets;
import dev.ktlsuring.uring.abi.io_uring_cqe;
import dev.ktlsuring.uring.abi.io_uring_getevents_arg;
import dev.ktlsuring.uring.abi.io_uring_params;
import dev.ktlsuring.uring.abi.io_uring_probe;
import dev.ktlsuring.uring.abi.io_uring_probe_op;
import dev.ktlsuring.uring.abi.io_uring_sqe;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_ENTER_EXT_ARG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_ENTER_GETEVENTS;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_FEAT_CQE_SKIP;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_FEAT_EXT_ARG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_FEAT_SINGLE_MMAP;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_CQ_RING;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_SQES;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OFF_SQ_RING;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_REGISTER_PROBE;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_SETUP_CLAMP;
import static dev.ktlsuring.uring.abi.io_uring_h.IO_URING_OP_SUPPORTED;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An io_uring instance: a submission queue and a completion queue shared with the kernel.
 *
 * <p>The two queues are ring buffers in memory mapped from the ring's file descriptor. Userspace
 * produces submission entries (SQEs) and advances the SQ tail; the kernel consumes them, advances the
 * SQ head, and produces completion entries (CQEs) at the CQ tail, which userspace consumes by advancing
 * the CQ head. Each side publishes an index only after the entries it covers are written, so the
 * index stores use release semantics and the loads of the other side's index use acquire semantics
 * (the same pairing liburing uses with {@code smp_store_release}/{@code smp_load_acquire}).
 *
 * <p>The point of the design is batching: {@link #prepare} writes any number of entries without a
 * system call, one {@link #submitAndWait} hands them all to the kernel and waits in the same
 * {@code io_uring_enter}, and {@link #reap} takes every completion that is ready, each routed by the
 * {@code user_data} its entry carried.
 *
 * <p>An {@code IoUring} is not thread-safe: one thread drives it ({@link EventLoop} is that thread).
 */
public final class IoUring implements AutoCloseable {

    // tag::setup[]
    /**
     * Creates a ring with room for {@code entries} submissions.
     *
     * @throws UringUnavailableException if this kernel or its policy does not allow io_uring
     */
    public static IoUring open(int entries) throws IOException {
        return open(entries, IoUring::probe);
    }

    /** What the ring learns about the kernel once it is mapped; a step that throws must leave nothing behind. */
    @FunctionalInterface
    interface Probe {
        boolean[] supportedOps(int ringFd) throws IOException;
    }

    static IoUring open(int entries, Probe probe) throws IOException {
        try (Arena setup = Arena.ofConfined()) {
            MemorySegment params = setup.allocate(io_uring_params.layout());
            // CLAMP: a kernel with a smaller limit gives us its maximum rather than EINVAL.
            io_uring_params.flags(params, IORING_SETUP_CLAMP());
            int ringFd;
            try {
                ringFd = SystemCalls.ioUringSetup(entries, params);
            } catch (IOException e) {
                throw UringUnavailableException.from(e);
            }
            return new IoUring(ringFd, params, probe);
        }
    }
    // end::setup[]

    // tag::varhandle[]
    /** A 32-bit ring index in shared memory, for getAcquire/setRelease (coordinates: segment, byte offset). */
    private static final VarHandle INT = JAVA_INT.varHandle();
    // end::varhandle[]
    private static final long SQE_SIZE = io_uring_sqe.layout().byteSize();
    private static final long CQE_SIZE = io_uring_cqe.layout().byteSize();

    private final int ringFd;
    private final MemorySegment sqRing, cqRing, sqes;
    private final long sqHeadOffset, sqTailOffset, cqHeadOffset, cqTailOffset, cqesOffset;
    private final int sqEntries, sqMask, cqMask;
    private final boolean[] supportedOps;
    private final boolean waitTimeouts, skipCompletions;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment waitArgument = arena.allocate(io_uring_getevents_arg.layout());
    private final MemorySegment waitTime = arena.allocate(__kernel_timespec.layout());
    private int sqTail;     // our copy of the SQ tail: entries up to it are fully prepared
    private int published;  // the SQ tail the kernel has been shown (release store)
    private long enterCalls;
    private boolean closed;

    private IoUring(int ringFd, MemorySegment params, Probe probe) throws IOException {
        this.ringFd = ringFd;
        MemorySegment sqOff = io_uring_params.sq_off(params);
        MemorySegment cqOff = io_uring_params.cq_off(params);
        this.sqEntries = io_uring_params.sq_entries(params);
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
            this.supportedOps = probe.supportedOps(ringFd);
        } catch (IOException | RuntimeException e) {
            // Whatever step failed, nothing of the ring may outlive it: mappings first, then the descriptor.
            unmap(sq, cq, entries);
            SystemCalls.close(ringFd);
            arena.close();
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
        this.published = sqTail;
        this.waitTimeouts = (io_uring_params.features(params) & IORING_FEAT_EXT_ARG()) != 0;
        this.skipCompletions = (io_uring_params.features(params) & IORING_FEAT_CQE_SKIP()) != 0;
        // tag::sq-array[]
        // The SQ "array" maps ring slots to SQE indexes; an identity map lets slot i always use SQE i.
        long array = io_sqring_offsets.array(sqOff);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.setAtIndex(JAVA_INT, array / Integer.BYTES + i, i);
        }
        // end::sq-array[]
    }

    // tag::register[]
    /**
     * {@code io_uring_register(2)}: hands the kernel something it keeps for this ring, so that entries
     * can refer to it instead of carrying it each time. {@code IORING_REGISTER_FILES} takes an array of
     * {@code count} descriptors, which entries marked {@link SubmissionEntry#fixedFile} then name by their
     * index, and the kernel no longer looks each one up and takes a reference on its file per operation;
     * {@code IORING_REGISTER_PBUF_RING} takes one {@code io_uring_buf_reg} ({@link BufferRing} does that).
     * The kernel reads {@code argument} during the call only; what it keeps (the files, a buffer ring's
     * memory) it keeps until the matching {@code IORING_UNREGISTER_*} or until the ring is closed.
     *
     * @param opcode   an {@code IORING_REGISTER_*} or {@code IORING_UNREGISTER_*} value
     * @param argument the opcode's argument block, native memory ({@link MemorySegment#NULL} where it takes none)
     * @param count    how many entries {@code argument} holds, as the opcode counts them
     */
    public void register(int opcode, MemorySegment argument, int count) throws IOException {
        ensureOpen();
        if (!argument.isNative()) {
            throw new IllegalArgumentException("io_uring_register: the kernel reads the argument by address; "
                    + "a heap segment has none");
        }
        if (count < 0) {
            throw new IllegalArgumentException("io_uring_register: negative count " + count);
        }
        SystemCalls.ioUringRegister(ringFd, opcode, argument, count);
    }
    // end::register[]

    /** Whether {@link #close} has run: what the kernel kept for this ring is gone with it. */
    boolean isClosed() {
        return closed;
    }

    /** Whether this kernel implements {@code opcode} (an {@code IORING_OP_*} value), as reported by IORING_REGISTER_PROBE. */
    public boolean supports(int opcode) {
        return opcode >= 0 && opcode < supportedOps.length && supportedOps[opcode];
    }

    /** Fills one submission entry. The entry arrives zeroed, with its {@code user_data} set. */
    @FunctionalInterface
    public interface Preparation {
        void prepare(SubmissionEntry entry);
    }

    /** Receives one completion: the {@code user_data} of its entry, its result ({@code -errno} on failure) and flags. */
    @FunctionalInterface
    public interface CompletionHandler {
        void complete(long userData, int result, int flags);
    }

    // tag::prepare[]
    /**
     * Writes the next submission entry, tagged with {@code userData}. Nothing reaches the kernel until
     * {@link #submit} or {@link #submitAndWait}: the entry only counts once {@code preparation} has
     * returned, so one that throws (a buffer too large for the entry's 32-bit length, a heap segment)
     * leaves no half-written entry behind, and the slot is simply reused by the next preparation.
     *
     * @throws IllegalStateException if the submission queue is full (see {@link #freeSlots})
     */
    public void prepare(long userData, Preparation preparation) {
        ensureOpen();
        if (freeSlots() == 0) {
            throw new IllegalStateException("submission queue full (" + sqEntries + " entries)");
        }
        MemorySegment sqe = sqes.asSlice((sqTail & sqMask) * SQE_SIZE, SQE_SIZE);
        sqe.fill((byte) 0);
        io_uring_sqe.user_data(sqe, userData);
        preparation.prepare(new SubmissionEntry(sqe));
        sqTail++;
    }
    // end::prepare[]

    // tag::free-slots[]
    /** How many more entries can be prepared before the kernel consumes some. */
    public int freeSlots() {
        // Acquire: the kernel is done reading every SQE before the head it published, so those slots
        // may be written again.
        int head = (int) INT.getAcquire(sqRing, sqHeadOffset);
        return sqEntries - (sqTail - head);
    }
    // end::free-slots[]

    /** Entries prepared but not yet handed to the kernel. */
    public int pending() {
        return sqTail - published;
    }

    // tag::enter[]
    /** Hands every prepared entry to the kernel in one {@code io_uring_enter}, without waiting. */
    public int submit() throws IOException {
        return pending() == 0 ? 0 : enter(0, 0);
    }

    /**
     * Hands every prepared entry to the kernel and waits until at least {@code minComplete}
     * completions are ready: submission and wait in one system call.
     */
    public int submitAndWait(int minComplete) throws IOException {
        return enter(minComplete, IORING_ENTER_GETEVENTS());
    }

    /**
     * Like {@link #submitAndWait(int)}, but returns after {@code timeoutNanos} even if fewer than
     * {@code minComplete} completions are ready: {@code IORING_ENTER_EXT_ARG} (Linux 5.11) carries the
     * time limit. Without that feature, it waits for one completion instead.
     */
    public int submitAndWait(int minComplete, long timeoutNanos) throws IOException {
        if (!waitTimeouts) {
            return submitAndWait(1);
        }
        __kernel_timespec.tv_sec(waitTime, timeoutNanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(waitTime, timeoutNanos % 1_000_000_000L);
        io_uring_getevents_arg.ts(waitArgument, waitTime.address());
        return enter(minComplete, IORING_ENTER_GETEVENTS() | IORING_ENTER_EXT_ARG(), waitArgument);
    }

    /** Whether {@link #submitAndWait(int, long)} can bound its wait (IORING_FEAT_EXT_ARG). */
    public boolean canBoundWaits() {
        return waitTimeouts;
    }

    /** Whether entries may ask to post no completion on success (IORING_FEAT_CQE_SKIP, Linux 5.17). */
    public boolean canSkipCompletions() {
        return skipCompletions;
    }

    private int enter(int minComplete, int flags) throws IOException {
        return enter(minComplete, flags, MemorySegment.NULL);
    }

    private int enter(int minComplete, int flags, MemorySegment argument) throws IOException {
        ensureOpen();
        // Release: the kernel, reading the tail with acquire, sees every byte of the entries before it.
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        published = sqTail;
        while (true) {
            int toSubmit = sqTail - (int) INT.getAcquire(sqRing, sqHeadOffset);
            enterCalls++;
            int r = SystemCalls.ioUringEnter(ringFd, toSubmit, minComplete, flags, argument);
            if (r >= 0) {
                return r;
            }
            if (Errno.ETIME.isResult(r) && argument != MemorySegment.NULL) {
                return 0;                       // the wait's time limit ran out: not an error
            }
            // EINTR: a signal arrived while waiting; EAGAIN/EBUSY: the kernel is short of memory or the
            // CQ is full of completions we have not reaped yet. All three mean "call again".
            if (Errno.EINTR.isResult(r)) {
                continue;
            }
            if (Errno.EBUSY.isResult(r) && completionsReady() > 0) {
                return 0;
            }
            if (!Errno.EAGAIN.isResult(r) && !Errno.EBUSY.isResult(r)) {
                throw Errno.exception("io_uring_enter", r, null);
            }
            Thread.onSpinWait();
        }
    }
    // end::enter[]

    // tag::reap[]
    /**
     * Hands every completion that is ready to {@code handler}, in the order the kernel posted them, and
     * returns how many there were. Never waits. The CQ head is advanced once, after the last one, with
     * release semantics: the kernel may then reuse those slots.
     */
    public int reap(CompletionHandler handler) {
        int head = (int) INT.getAcquire(cqRing, cqHeadOffset);
        // Acquire: every CQE up to the tail is fully written before we read it.
        int tail = (int) INT.getAcquire(cqRing, cqTailOffset);
        int count = tail - head;
        try {
            for (; head != tail; head++) {
                long at = cqesOffset + (head & cqMask) * CQE_SIZE;
                long userData = cqRing.get(io_uring_cqe.user_data$layout(), at + io_uring_cqe.user_data$offset());
                int res = cqRing.get(io_uring_cqe.res$layout(), at + io_uring_cqe.res$offset());
                int flags = cqRing.get(io_uring_cqe.flags$layout(), at + io_uring_cqe.flags$offset());
                handler.complete(userData, res, flags);
            }
        } finally {
            INT.setRelease(cqRing, cqHeadOffset, head);
        }
        return count;
    }
    // end::reap[]

    /** Completions posted and not yet reaped. */
    public int completionsReady() {
        return (int) INT.getAcquire(cqRing, cqTailOffset) - (int) INT.getAcquire(cqRing, cqHeadOffset);
    }

    /** How many {@code io_uring_enter} system calls this ring has made: the cost batching saves. */
    public long enterCalls() {
        return enterCalls;
    }

    /** How many entries fit in the submission queue. */
    public int capacity() {
        return sqEntries;
    }

    /**
     * Releases the mappings and the ring descriptor. Operations still in flight are cancelled by the
     * kernel; their memory must stay valid until it has done so, which is why {@link EventLoop} waits for
     * every completion before it closes its ring.
     */
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

    private static boolean[] probe(int ringFd) throws IOException {
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
