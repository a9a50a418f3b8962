package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_F_BUFFER;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_F_MORE;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_REGISTER_FILES;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_UNREGISTER_FILES;
import static dev.ktlsuring.uring.abi.socket_h.AF_INET;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_CLOEXEC;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_STREAM;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ring's own contract: batches, completions routed by user_data, preparations that fail cleanly,
 * and what the benchmark's ring scenario measures: registered files and multishot receive into
 * provided buffers.
 */
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

    // tag::fixed-file[]
    @Test
    void registeredFilesAreNamedByIndexInSendAndReceive() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             IoUring ring = IoUring.open(8); Arena arena = Arena.ofConfined()) {
            int fd = connect(ring, server, arena);
            try (Socket peer = server.accept()) {
                ring.register(IORING_REGISTER_FILES(), arena.allocateFrom(JAVA_INT, fd), 1);
                // Index 0 of the table, not descriptor 0 (standard input, no socket): only IOSQE_FIXED_FILE
                // makes these a send and a receive on the connection.
                MemorySegment ping = arena.allocateFrom("ping", StandardCharsets.US_ASCII);
                assertThat(complete(ring, entry -> entry.send(0, ping.asSlice(0, 4), 0).fixedFile())).isEqualTo(4);
                assertThat(new String(peer.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");

                peer.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                MemorySegment buffer = arena.allocate(16);
                assertThat(complete(ring, entry -> entry.recv(0, buffer, 0).fixedFile())).isEqualTo(4);
                assertThat(buffer.getString(0, StandardCharsets.US_ASCII)).isEqualTo("pong");

                ring.register(IORING_UNREGISTER_FILES(), MemorySegment.NULL, 0);
                assertThat(complete(ring, entry -> entry.recv(0, buffer, 0).fixedFile()))
                        .as("no table after unregistering").isEqualTo(-Errno.EBADF.number());
            } finally {
                SystemCalls.close(fd);
            }
        }
    }
    // end::fixed-file[]

    // tag::multishot[]
    @Test
    void oneMultishotReceiveFillsProvidedBuffersUntilTheyRunOutAndIsArmedAgain() throws IOException {
        final int group = 7;
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             IoUring ring = IoUring.open(8); Arena arena = Arena.ofConfined()) {
            int fd = connect(ring, server, arena);
            try (Socket peer = server.accept(); BufferRing buffers = BufferRing.register(ring, group, 2, 64)) {
                ring.prepare(77, entry -> entry.recvMultishot(fd, group, 0));
                List<String> got = new ArrayList<>();
                List<Integer> ids = new ArrayList<>();
                List<Long> userData = new ArrayList<>();
                for (String message : List.of("first", "second")) {
                    peer.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
                    int[] completion = next(ring);
                    assertThat(completion[0]).as(message).isEqualTo(message.length());
                    assertThat(completion[1] & IORING_CQE_F_BUFFER()).as(message + ": F_BUFFER").isNotZero();
                    assertThat(completion[1] & IORING_CQE_F_MORE()).as(message + ": F_MORE, still armed").isNotZero();
                    int id = BufferRing.bufferId(completion[1]);
                    ids.add(id);
                    userData.add((long) completion[2]);
                    got.add(buffers.buffer(id).getString(0, StandardCharsets.US_ASCII).substring(0, completion[0]));
                }
                assertThat(got).containsExactly("first", "second");
                assertThat(ids).as("two buffers of the group").containsExactlyInAnyOrder(0, 1);
                assertThat(userData).as("both from the one entry").containsExactly(77L, 77L);

                // Neither buffer handed back: the next message finds none, and the receive ends.
                peer.getOutputStream().write("third".getBytes(StandardCharsets.US_ASCII));
                int[] end = next(ring);
                assertThat(end[0]).isEqualTo(-Errno.ENOBUFS.number());
                assertThat(end[1] & IORING_CQE_F_MORE()).as("the last completion of the receive").isZero();
                assertThatThrownBy(() -> BufferRing.bufferId(end[1])).hasMessageContaining("carries no buffer");

                // The data waited in the socket: buffers back, receive armed again, and it arrives.
                ids.forEach(buffers::recycle);
                ring.prepare(78, entry -> entry.recvMultishot(fd, group, 0));
                int[] again = next(ring);
                assertThat(again[0]).isEqualTo(5);
                assertThat(again[1] & IORING_CQE_F_MORE()).isNotZero();
                assertThat(buffers.buffer(BufferRing.bufferId(again[1])).getString(0, StandardCharsets.US_ASCII))
                        .startsWith("third");
                peer.shutdownOutput();
                int[] eof = next(ring);
                assertThat(eof[0]).as("end of stream").isZero();
                assertThat(eof[1] & IORING_CQE_F_MORE()).as("ends the receive too").isZero();
            } finally {
                SystemCalls.close(fd);
            }
        }
    }
    // end::multishot[]

    @Test
    void aBufferRingKeepsItsTailWhereTheKernelReadsItAndChecksWhatItIsGiven() throws Exception {
        Map<String, Long> c = CHeaders.evaluate(List.of("linux/io_uring.h"),
                Map.of("tail", "offsetof(struct io_uring_buf_ring, tail)", "entry", "sizeof(struct io_uring_buf)"));
        assertThat(BufferRing.TAIL_OFFSET).isEqualTo(c.get("tail")).isEqualTo(14);
        assertThat(dev.ktlsuring.uring.abi.io_uring_buf.sizeof()).isEqualTo(c.get("entry"));

        long fds = openDescriptors();
        try (IoUring ring = IoUring.open(4)) {
            assertThatThrownBy(() -> BufferRing.register(ring, 1, 3, 64)).hasMessageContaining("power of two");
            assertThatThrownBy(() -> BufferRing.register(ring, 70_000, 4, 64)).hasMessageContaining("16-bit");
            assertThatThrownBy(() -> ring.prepare(1, entry -> entry.recvMultishot(3, -1, 0))).hasMessageContaining("16-bit");
            BufferRing first = BufferRing.register(ring, 1, 4, 64);
            assertThatThrownBy(() -> BufferRing.register(ring, 1, 4, 64)).as("group 1 is taken")
                    .hasMessage("io_uring_register: EEXIST (opcode 22)");
            first.close();
            // Unregistered: the group can be registered again.
            BufferRing.register(ring, 1, 4, 64).close();
            assertThatThrownBy(() -> first.recycle(0)).hasMessage("buffer ring is closed");
            assertThatThrownBy(() -> ring.register(IORING_REGISTER_FILES(), MemorySegment.ofArray(new int[1]), 1))
                    .hasMessageContaining("heap segment");
        }
        assertThat(openDescriptors()).isEqualTo(fds);
    }

    /** A TCP connection to {@code server} made through the ring: the descriptor, to be closed by the caller. */
    private static int connect(IoUring ring, ServerSocket server, Arena arena) throws IOException {
        int fd = SystemCalls.socket(AF_INET(), SOCK_STREAM() | SOCK_CLOEXEC(), 0);
        MemorySegment address = SocketAddresses.encode(
                new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), arena);
        try {
            assertThat(complete(ring, entry -> entry.connect(fd, address))).as("connect").isZero();
            return fd;
        } catch (AssertionError | RuntimeException e) {
            SystemCalls.close(fd);
            throw e;
        }
    }

    /** Submits one entry and returns its result. */
    private static int complete(IoUring ring, IoUring.Preparation preparation) throws IOException {
        ring.prepare(1, preparation);
        return next(ring)[0];
    }

    /** Waits for the next completion: its result, flags and (small) user data. */
    private static int[] next(IoUring ring) throws IOException {
        int[] completion = new int[3];
        ring.submitAndWait(1);
        assertThat(ring.reap((userData, result, flags) -> {
            completion[0] = result;
            completion[1] = flags;
            completion[2] = (int) userData;
        })).as("completions reaped").isEqualTo(1);
        return completion;
    }

    static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static long ringMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("io_uring")).count();
    }
}
