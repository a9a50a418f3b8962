package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.io_uring_buf;
import dev.ktlsuring.uring.abi.io_uring_buf_reg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_BUFFER_SHIFT;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_F_BUFFER;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_REGISTER_PBUF_RING;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_UNREGISTER_PBUF_RING;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A group of provided buffers that receives draw from ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19):
 * a {@link SubmissionEntry#recvMultishot multishot receive} takes a buffer only when data arrives, and
 * its completion says which one; the reader hands it back with {@link #recycle} once done with it.
 *
 * <p>The ring is a third shared queue, like the submission queue but for buffers: an array of
 * {@code struct io_uring_buf} (address, length, id) in memory of ours that the kernel pins, which we
 * fill at the tail and the kernel consumes at a head it keeps to itself. The tail is a 16-bit index in
 * the {@code resv} field of the array's first entry ({@code struct io_uring_buf_ring}), published with a
 * release store after the entry it covers is written; the kernel loads it with acquire. The array must
 * start on a page, since the kernel pins it by pages.
 *
 * <p>Not thread-safe: the thread that drives the ring recycles its buffers. Close it before the ring,
 * and only once no receive that uses it is in flight: the kernel writes into its buffers until then.
 */
public final class BufferRing implements AutoCloseable {

    /**
     * Where the tail lives: {@code struct io_uring_buf_ring} overlays its {@code tail} on
     * {@code bufs[0].resv}, offset 14 (checked against gcc by {@code IoUringTest}).
     */
    static final long TAIL_OFFSET = io_uring_buf.resv$offset();
    private static final long ENTRY_SIZE = io_uring_buf.sizeof();
    private static final VarHandle TAIL = JAVA_SHORT.varHandle();

    private final IoUring ring;
    private final Arena arena;
    private final MemorySegment entries, buffers;
    private final int group, mask, size;
    private int tail;       // our copy of the 16-bit tail: entries before it are the kernel's to take
    private boolean closed;

    private BufferRing(IoUring ring, Arena arena, MemorySegment entries, MemorySegment buffers, int group, int count,
                       int size) {
        this.ring = ring;
        this.arena = arena;
        this.entries = entries;
        this.buffers = buffers;
        this.group = group;
        this.mask = count - 1;
        this.size = size;
    }

    // tag::register[]
    /**
     * Registers {@code count} buffers of {@code size} bytes as buffer group {@code group} of {@code ring},
     * all of them available to the kernel.
     *
     * @param count a power of two from 1 to 32768 (the kernel's limit for a buffer ring)
     */
    public static BufferRing register(IoUring ring, int group, int count, int size) throws IOException {
        if (group < 0 || group > 0xFFFF) {
            throw new IllegalArgumentException("buffer group " + group + " is not a 16-bit id");
        }
        if (count < 1 || count > 32768 || Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("a buffer ring holds a power of two from 1 to 32768 buffers, not " + count);
        }
        if (size < 1) {
            throw new IllegalArgumentException("buffer size must be positive: " + size);
        }
        Arena arena = Arena.ofShared();
        try {
            long page = SystemCalls.pageSize();
            // Whole pages, starting on a page: the kernel pins the array page by page, and the zeroed
            // memory starts with tail 0.
            long ringBytes = (count * ENTRY_SIZE + page - 1) / page * page;
            MemorySegment entries = arena.allocate(ringBytes, page);
            MemorySegment buffers = arena.allocate((long) count * size, 64);
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment reg = scratch.allocate(io_uring_buf_reg.layout());
                io_uring_buf_reg.ring_addr(reg, entries.address());
                io_uring_buf_reg.ring_entries(reg, count);
                io_uring_buf_reg.bgid(reg, (short) group);
                ring.register(IORING_REGISTER_PBUF_RING(), reg, 1);
            }
            BufferRing buffersRing = new BufferRing(ring, arena, entries, buffers, group, count, size);
            for (int id = 0; id < count; id++) {
                buffersRing.recycle(id);
            }
            return buffersRing;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }
    // end::register[]

    /** The group id that {@link SubmissionEntry#recvMultishot} names. */
    public int group() {
        return group;
    }

    /** Bytes per buffer. */
    public int bufferSize() {
        return size;
    }

    /**
     * The buffer a completion's flags name: {@code flags >>> IORING_CQE_BUFFER_SHIFT}, when
     * {@code IORING_CQE_F_BUFFER} says that it names one.
     *
     * @throws IllegalArgumentException if the completion carries no buffer (an error, or end of stream)
     */
    public static int bufferId(int flags) {
        if ((flags & IORING_CQE_F_BUFFER()) == 0) {
            throw new IllegalArgumentException("the completion carries no buffer (flags " + flags + ")");
        }
        return flags >>> IORING_CQE_BUFFER_SHIFT();
    }

    /** Buffer {@code id}: a completion's data is its first {@code result} bytes. */
    public MemorySegment buffer(int id) {
        return buffers.asSlice(checkId(id) * (long) size, size);
    }

    // tag::recycle[]
    /** Hands buffer {@code id} back to the kernel, which may fill it again from now on. */
    public void recycle(int id) {
        ensureOpen();
        MemorySegment entry = entries.asSlice((tail & mask) * ENTRY_SIZE, ENTRY_SIZE);
        // Field by field: the resv field of entry 0 is the tail itself, and must not be overwritten.
        io_uring_buf.addr(entry, buffers.address() + checkId(id) * (long) size);
        io_uring_buf.len(entry, size);
        io_uring_buf.bid(entry, (short) id);
        tail++;
        // Release: the kernel, loading the tail with acquire, sees the whole entry before it.
        TAIL.setRelease(entries, TAIL_OFFSET, (short) tail);
    }
    // end::recycle[]

    /**
     * Unregisters the group (unless the ring is already closed, which dropped it) and frees the buffers.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena scratch = Arena.ofConfined()) {
            if (!ring.isClosed()) {
                MemorySegment reg = scratch.allocate(io_uring_buf_reg.layout());
                io_uring_buf_reg.bgid(reg, (short) group);
                ring.register(IORING_UNREGISTER_PBUF_RING(), reg, 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            arena.close();
        }
    }

    private int checkId(int id) {
        if (id < 0 || id > mask) {
            throw new IllegalArgumentException("no buffer " + id + " in a ring of " + (mask + 1));
        }
        return id;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("buffer ring is closed");
        }
    }
}
