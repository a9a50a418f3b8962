package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.io_uring_sqe;

import java.lang.foreign.MemorySegment;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_CONNECT;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_POLL_ADD;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_RECV;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_RECVMSG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SEND;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SENDMSG;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_OP_SOCKET;

/**
 * One submission queue entry (SQE), with typed preparations for the operations this project uses,
 * in the spirit of liburing's {@code io_uring_prep_*} helpers.
 *
 * <p>An SQE is a 64-byte struct whose fields mean different things per opcode (several are unions);
 * each method below sets exactly the fields its opcode reads, as documented in {@code io_uring_enter(2)}.
 * Memory an entry points to must stay valid until the operation completes.
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
        // The sockaddr length travels in the offset field (io_uring_prep_connect).
        return prepare(IORING_OP_CONNECT(), fd, address.address(), 0, address.byteSize());
    }

    /** {@code send(fd, buffer, buffer.byteSize(), flags)}. */
    public SubmissionEntry send(int fd, MemorySegment buffer, int flags) {
        prepare(IORING_OP_SEND(), fd, buffer.address(), Math.toIntExact(buffer.byteSize()), 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    /** {@code recv(fd, buffer, buffer.byteSize(), flags)}. */
    public SubmissionEntry recv(int fd, MemorySegment buffer, int flags) {
        prepare(IORING_OP_RECV(), fd, buffer.address(), Math.toIntExact(buffer.byteSize()), 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

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
        prepare(IORING_OP_SENDMSG(), fd, msghdr.address(), 1, 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    /** {@code recvmsg(fd, msghdr, flags)}. */
    public SubmissionEntry recvmsg(int fd, MemorySegment msghdr, int flags) {
        prepare(IORING_OP_RECVMSG(), fd, msghdr.address(), 1, 0);
        io_uring_sqe.msg_flags(sqe, flags);
        return this;
    }

    int flags() {
        return Byte.toUnsignedInt(io_uring_sqe.flags(sqe));
    }

    void flags(int flags) {
        io_uring_sqe.flags(sqe, (byte) flags);
    }
}
