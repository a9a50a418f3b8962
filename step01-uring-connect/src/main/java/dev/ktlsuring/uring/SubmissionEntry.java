package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.io_uring_sqe;

import java.lang.foreign.MemorySegment;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_ASYNC_CANCEL;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_CONNECT;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_POLL_ADD;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_READ;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_RECV;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_RECVMSG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SEND;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SENDMSG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SOCKET;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_TIMEOUT;
import static dev.ktlsuring.uring.abi.io_uring_h.IOSQE_CQE_SKIP_SUCCESS;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_RECV_MULTISHOT;
import static dev.ktlsuring.uring.abi.io_uring_h.IOSQE_BUFFER_SELECT;
import static dev.ktlsuring.uring.abi.io_uring_h.IOSQE_FIXED_FILE;
import static dev.ktlsuring.uring.abi.io_uring_h.IOSQE_IO_LINK;

/**
 * One submission queue entry (SQE), with typed preparations for the operations this project uses,
 * in the spirit of liburing's {@code io_uring_prep_*} helpers.
 *
 * <p>An SQE is a 64-byte struct whose fields mean different things per opcode (several are unions);
 * each method below sets exactly the fields its opcode reads, as documented in {@code io_uring_enter(2)}.
 * Memory an entry points to must stay valid until the operation completes, and must be native: the
 * kernel reads and writes it by address, long after this call, and a heap array has no fixed address.
 * So every preparation refuses a heap segment, and a buffer too large for the entry's 32-bit length,
 * before it writes a field.
 */
public final class SubmissionEntry {

    private final MemorySegment sqe;

    SubmissionEntry(MemorySegment sqe) {
        this.sqe = sqe;
    }

    /** The generic form: opcode, file descriptor, address, length and offset fields. */
    public SubmissionEntry prepare(int opcode, int fd, long address, int length, long offset) {
        io_uring_sqe.opcode(sqe, (byte) opcode);
        io_uring_sqe.fd(sqe, fd);
        io_uring_sqe.addr(sqe, address);
        io_uring_sqe.len(sqe, length);
        io_uring_sqe.off(sqe, offset);
        return this;
    }

    /** {@code socket(domain, type, protocol)} (kernel 5.19+): the result is the new descriptor. */
    public SubmissionEntry socket(int domain, int type, int protocol) {
        // fd carries the domain, off the type and len the protocol (io_uring_prep_socket).
        return prepare(IORING_OP_SOCKET(), domain, 0, protocol, type);
    }

    /** {@code connect(fd, address, address.byteSize())}. */
    public SubmissionEntry connect(int fd, MemorySegment address) {
        requireNative(address, "connect");
        // The sockaddr length travels in the offset field (io_uring_prep_connect).
        return prepare(IORING_OP_CONNECT(), fd, address.address(), 0, address.byteSize());
    }

    /** {@code send(fd, buffer, buffer.byteSize(), flags)}. */
    public SubmissionEntry send(int fd, MemorySegment buffer, int flags) {
        prepare(IORING_OP_SEND(), fd, requireNative(buffer, "send").address(), length(buffer, "send"), 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    /** {@code recv(fd, buffer, buffer.byteSize(), flags)}. */
    public SubmissionEntry recv(int fd, MemorySegment buffer, int flags) {
        prepare(IORING_OP_RECV(), fd, requireNative(buffer, "recv").address(), length(buffer, "recv"), 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    // tag::multishot[]
    /**
     * A multishot receive (Linux 6.0): one entry that completes every time data arrives, each time into a
     * buffer the kernel takes from the provided buffers of {@code bufferGroup} (a {@link BufferRing}), so
     * no buffer is tied up while the connection is quiet. Every completion carries
     * {@code IORING_CQE_F_BUFFER} and the buffer's id ({@link BufferRing#bufferId}) when it has data, and
     * {@code IORING_CQE_F_MORE} while the receive stays armed; one without {@code F_MORE} is its last
     * (end of stream, an error, or {@code -ENOBUFS} when the group had no buffer left), and the receive
     * must be submitted again.
     */
    public SubmissionEntry recvMultishot(int fd, int bufferGroup, int flags) {
        if (bufferGroup < 0 || bufferGroup > 0xFFFF) {
            throw new IllegalArgumentException("recv: buffer group " + bufferGroup + " is not a 16-bit id");
        }
        // No address and length 0: the kernel picks the buffer, and receives up to that buffer's length.
        prepare(IORING_OP_RECV(), fd, 0, 0, 0);
        io_uring_sqe.msg_flags(sqe, flags);
        // The receive's own flags travel in ioprio (io_uring_prep_recv_multishot); the group in buf_group.
        io_uring_sqe.ioprio(sqe, (short) IORING_RECV_MULTISHOT());
        io_uring_sqe.buf_group(sqe, (short) bufferGroup);
        io_uring_sqe.flags(sqe, (byte) (io_uring_sqe.flags(sqe) | IOSQE_BUFFER_SELECT()));
        return this;
    }
    // end::multishot[]

    /**
     * A one-shot poll of {@code fd} for {@code events} ({@code POLLIN}...): the result is the ready mask.
     * A descriptor already ready completes at submission, without waiting.
     */
    public SubmissionEntry pollAdd(int fd, int events) {
        prepare(IORING_OP_POLL_ADD(), fd, 0, 0, 0);
        // Little-endian layout of the 32-bit mask (the kernel swaps halfwords only on big-endian).
        io_uring_sqe.poll32_events(sqe, events);
        return this;
    }

    /** {@code sendmsg(fd, msghdr, flags)}. */
    public SubmissionEntry sendmsg(int fd, MemorySegment msghdr, int flags) {
        prepare(IORING_OP_SENDMSG(), fd, requireNative(msghdr, "sendmsg").address(), 1, 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    /** {@code recvmsg(fd, msghdr, flags)}. */
    public SubmissionEntry recvmsg(int fd, MemorySegment msghdr, int flags) {
        prepare(IORING_OP_RECVMSG(), fd, requireNative(msghdr, "recvmsg").address(), 1, 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    /** {@code read(fd, buffer, buffer.byteSize())} at the file's current position (offset -1). */
    public SubmissionEntry read(int fd, MemorySegment buffer) {
        return prepare(IORING_OP_READ(), fd, requireNative(buffer, "read").address(), length(buffer, "read"), -1L);
    }

    /**
     * Cancels the operation whose entry carried {@code userData}: it completes with {@code -ECANCELED}
     * (or with its result, if it finished first). This entry's own result is 0, {@code -ENOENT} when
     * there was nothing to cancel, or {@code -EALREADY} when it was already running.
     */
    public SubmissionEntry cancel(long userData) {
        return prepare(IORING_OP_ASYNC_CANCEL(), -1, userData, 0, 0);
    }

    /**
     * A timer: completes with {@code -ETIME} once the time in {@code timespec} (a {@code __kernel_timespec},
     * relative) has passed. The kernel copies the time when it consumes the entry.
     */
    public SubmissionEntry timeout(MemorySegment timespec) {
        // len 1: one timespec; off 0: no completion count, a pure timer (io_uring_prep_timeout).
        return prepare(IORING_OP_TIMEOUT(), -1, requireNative(timespec, "timeout").address(), 1, 0);
    }

    /**
     * Links the next entry to this one (IOSQE_IO_LINK): it starts only once this one has completed,
     * and fails with {@code -ECANCELED} if this one fails. Which results count as failures is the
     * opcode's business: a read or write that transfers less than asked does, but a send or receive
     * with a short count does not, unless {@code MSG_WAITALL} made it (io_uring_enter(2)).
     */
    public SubmissionEntry linkNext() {
        io_uring_sqe.flags(sqe, (byte) (io_uring_sqe.flags(sqe) | IOSQE_IO_LINK()));
        return this;
    }

    /**
     * Asks the kernel to post no completion if this entry succeeds (IOSQE_CQE_SKIP_SUCCESS, Linux 5.17,
     * {@link IoUring#canSkipCompletions()}); a failure is still posted, and then the entries linked
     * to it, which the failure cancels, post none. One fewer completion to reap per exchange, for a
     * link's first entry whose success the second one's completion implies.
     */
    public SubmissionEntry skipCompletionOnSuccess() {
        io_uring_sqe.flags(sqe, (byte) (io_uring_sqe.flags(sqe) | IOSQE_CQE_SKIP_SUCCESS()));
        return this;
    }

    /** Whether {@link #skipCompletionOnSuccess()} was asked for. */
    public boolean skipsCompletionOnSuccess() {
        return (io_uring_sqe.flags(sqe) & IOSQE_CQE_SKIP_SUCCESS()) != 0;
    }


    // tag::fixed-file[]
    /**
     * Makes this entry's descriptor an index into the ring's registered files ({@code IOSQE_FIXED_FILE},
     * see {@link IoUring#register}): the kernel then takes the file from the ring's own table instead of
     * looking the descriptor up and taking a reference on its file for this one operation.
     */
    public SubmissionEntry fixedFile() {
        io_uring_sqe.flags(sqe, (byte) (io_uring_sqe.flags(sqe) | IOSQE_FIXED_FILE()));
        return this;
    }
    // end::fixed-file[]

    private static MemorySegment requireNative(MemorySegment segment, String operation) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException(operation + ": io_uring needs native memory; a heap segment "
                    + "has no address the kernel can use after this call");
        }
        return segment;
    }

    private static int length(MemorySegment buffer, String operation) {
        if (buffer.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(operation + ": " + buffer.byteSize()
                    + " bytes do not fit an entry's 32-bit length; split the buffer");
        }
        return (int) buffer.byteSize();
    }
}
