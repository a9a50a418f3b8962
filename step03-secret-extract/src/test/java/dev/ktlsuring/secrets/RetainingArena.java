package dev.ktlsuring.secrets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An arena for checking that code wipes secrets before it releases them: it allocates from
 * {@code memory} and remembers every segment, and its {@code close()} only records the call, so what
 * the code left in its memory stays readable afterwards (until {@code memory} itself is closed).
 */
public final class RetainingArena implements Arena {

    private final Arena memory;
    private final List<MemorySegment> allocations = new ArrayList<>();
    private boolean closed;

    public RetainingArena(Arena memory) {
        this.memory = memory;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = memory.allocate(byteSize, byteAlignment);
        allocations.add(segment);
        return segment;
    }

    @Override
    public MemorySegment.Scope scope() {
        return memory.scope();
    }

    /** Records the call; the memory stays. */
    @Override
    public void close() {
        closed = true;
    }

    /** Whether the code under test closed this arena. */
    public boolean closed() {
        return closed;
    }

    /** Every segment allocated so far, in order. */
    public List<MemorySegment> allocations() {
        return List.copyOf(allocations);
    }
}
