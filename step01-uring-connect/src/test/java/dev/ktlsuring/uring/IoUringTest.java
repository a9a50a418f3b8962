package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ring's own contract: batches, completions routed by user_data, and preparations that fail cleanly. */
class IoUringTest {

    private static final int NOP = 0;

    // tag::batch[]
    @Test
    void severalEntriesGoInOneEnterAndEveryCompletionIsRoutedByUserData() throws IOException {
        try (IoUring ring = IoUring.open(16)) {
            for (long tag = 100; tag < 108; tag++) {
                ring.prepare(tag, entry -> entry.prepare(NOP, -1, 0, 0, 0));
            }
            assertThat(ring.pending()).isEqualTo(8);

            long before = ring.enterCalls();
            int submitted = ring.submitAndWait(8);
            List<Long> seen = new ArrayList<>();
            int reaped = ring.reap((userData, result, flags) -> {
                assertThat(result).isZero();
                seen.add(userData);
            });

            assertThat(submitted).isEqualTo(8);
            assertThat(ring.enterCalls() - before).isEqualTo(1);
            assertThat(reaped).isEqualTo(8);
            assertThat(seen).containsExactlyInAnyOrder(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L);
            assertThat(ring.completionsReady()).isZero();
        }
    }
    // end::batch[]

    // tag::failed-preparation[]
    @Test
    void aPreparationThatThrowsLeavesNoEntryBehindAndTheRingUsable() throws IOException {
        try (IoUring ring = IoUring.open(8); Arena arena = Arena.ofConfined()) {
            MemorySegment huge = MemorySegment.NULL.reinterpret(3L << 30);   // 3 GiB: over an entry's 32-bit length
            assertThatThrownBy(() -> ring.prepare(1, entry -> entry.recv(3, huge, 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("32-bit length");
            assertThatThrownBy(() -> ring.prepare(2, entry -> entry.send(3, MemorySegment.ofArray(new byte[16]), 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("send: io_uring needs native memory");
            assertThatThrownBy(() -> ring.prepare(3, entry -> {
                entry.prepare(NOP, -1, 0, 0, 0);
                throw new IllegalStateException("changed my mind after writing the entry");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(ring.pending()).as("entries counted after three failed preparations").isZero();
            assertThat(ring.enterCalls()).as("nothing reached the kernel").isZero();

            ring.prepare(4, entry -> entry.prepare(NOP, -1, 0, 0, 0));
            ring.submitAndWait(1);
            List<Long> seen = new ArrayList<>();
            ring.reap((userData, result, flags) -> seen.add(userData));
            assertThat(seen).containsExactly(4L);
        }
    }
    // end::failed-preparation[]

    @Test
    void aFullSubmissionQueueIsRefusedUntilSubmitted() throws IOException {
        try (IoUring ring = IoUring.open(4)) {
            for (int i = 0; i < ring.capacity(); i++) {
                ring.prepare(i, entry -> entry.prepare(NOP, -1, 0, 0, 0));
            }
            assertThat(ring.freeSlots()).isZero();
            assertThatThrownBy(() -> ring.prepare(99, entry -> entry.prepare(NOP, -1, 0, 0, 0)))
                    .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("submission queue full");
            ring.submitAndWait(ring.capacity());
            assertThat(ring.reap((u, r, f) -> { })).isEqualTo(ring.capacity());
            assertThat(ring.freeSlots()).isEqualTo(ring.capacity());
        }
    }

    // tag::setup-cleanup[]
    @Test
    void aSetupThatFailsAfterMappingReleasesTheDescriptorAndTheMappings() throws IOException {
        IoUring.open(8).close();   // warm up: classes loaded, libc symbols resolved
        long fds = openDescriptors(), mappings = ringMappings();

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> IoUring.open(8, ringFd -> {
                throw new IOException("io_uring_register: EINVAL (probe refused)");
            })).hasMessage("io_uring_register: EINVAL (probe refused)");
        }

        assertThat(openDescriptors()).isEqualTo(fds);
        assertThat(ringMappings()).isEqualTo(mappings);
    }
    // end::setup-cleanup[]

    static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static long ringMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("io_uring")).count();
    }
}
