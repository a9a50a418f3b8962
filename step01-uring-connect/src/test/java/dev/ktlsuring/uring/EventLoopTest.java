package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ktlsuring.uring.abi.socket_h.MSG_WAITALL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Many callers on one ring: batching, deadlines, interrupts, and closing with operations in flight. */
class EventLoopTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    // tag::many-in-flight[]
    @Test
    void sixtyFourVirtualThreadsShareOneRingWithFewerEntersThanOperations() throws Exception {
        int connections = 64, roundTrips = 200;
        try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
             Echo echo = new Echo(server, connections);
             EventLoop loop = EventLoop.start("test-loop", 64);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int id = c;
                results.add(threads.submit(() -> {
                    try (UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
                         Arena arena = Arena.ofConfined()) {
                        MemorySegment out = arena.allocate(JAVA_INT), in = arena.allocate(JAVA_INT);
                        for (int i = 0; i < roundTrips; i++) {
                            out.set(JAVA_INT, 0, id * 1_000_000 + i);
                            socket.sendFully(out, TIMEOUT);
                            socket.recvFully(in, TIMEOUT);
                            assertThat(in.get(JAVA_INT, 0)).isEqualTo(id * 1_000_000 + i);
                        }
                        return roundTrips;
                    }
                }));
            }
            long total = 0;
            for (Future<Integer> r : results) {
                total += r.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo((long) connections * roundTrips);
            long operations = loop.completedOperations(), enters = loop.enterCalls();
            System.out.printf("EventLoopTest: %d operations, %d io_uring_enter calls, %.3f enters per operation%n",
                    operations, enters, (double) enters / operations);
            assertThat(operations).isGreaterThanOrEqualTo(2L * connections * roundTrips);
            // With 64 callers busy at once, one io_uring_enter carries and reaps several operations.
            assertThat(enters).as("enters for %d operations", operations).isLessThan(operations / 2);
        }
    }
    // end::many-in-flight[]

    @Test
    void aLinkedSendAndReceiveArriveTogetherAndBothResultsComeBack() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Echo echo = new Echo(server, 1);
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocateFrom("ping"), reply = arena.allocate(request.byteSize());
            int n = socket.sendThen(request, "recv", TIMEOUT, (entry, fd) -> entry.recv(fd, reply, 0));
            if (n < reply.byteSize()) {
                socket.recvFully(reply.asSlice(n), TIMEOUT);
            }
            assertThat(reply.getString(0)).isEqualTo("ping");
        }
    }

    /**
     * A linked send may skip its completion: the receive's completion stands for both, so one
     * completion is reaped per exchange, yet the caller still sees the send's full length.
     */
    @Test
    void aLinkedSendThatSkipsItsCompletionIsReportedAsSentInFull() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Echo echo = new Echo(server, 1);
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            assertThat(loop.canSkipCompletions()).as("IORING_FEAT_CQE_SKIP (Linux 5.17)").isTrue();
            MemorySegment request = arena.allocateFrom("ping"), reply = arena.allocate(request.byteSize());
            long operations = loop.completedOperations(), reaped = loop.completionsReaped();
            int n = socket.sendThen(request, "recv", TIMEOUT, (entry, fd) -> entry.recv(fd, reply, MSG_WAITALL()));

            assertThat(n).isEqualTo(reply.byteSize());
            assertThat(reply.getString(0)).isEqualTo("ping");
            assertThat(loop.completedOperations() - operations).as("operations").isEqualTo(2);
            assertThat(loop.completionsReaped() - reaped).as("completions: the send posted none").isEqualTo(1);
        }
    }

    /** A send that skips its completion and fails still reports its errno; the receive is cancelled. */
    @Test
    void aLinkedSendThatFailsReportsItsErrorEvenWhenItWouldHaveSkippedItsCompletion() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            try (Socket peer = server.accept()) {
                peer.setSoLinger(true, 0);          // close with RST: the next send fails at once
            }
            MemorySegment request = arena.allocate(1 << 20), reply = arena.allocate(16);
            long reaped = loop.completionsReaped();

            assertThatThrownBy(() -> socket.sendThen(request, "recv", TIMEOUT, (entry, fd) -> entry.recv(fd, reply, 0)))
                    .isInstanceOf(SocketException.class)
                    .hasMessageMatching("send: (EPIPE|ECONNRESET) \\(127\\.0\\.0\\.1:\\d+\\)");
            assertThat(loop.completionsReaped() - reaped)
                    .as("the failed send's completion only: the kernel posts none for the receive it cancels")
                    .isEqualTo(1);
            // Nothing of the pair is left in flight, and the loop goes on.
            assertThat(loop.execute(entry -> entry.prepare(0, -1, 0, 0, 0), TIMEOUT, "nop")).isZero();
        }
    }

    /** Only a link's first entry may skip its completion: anything else would never complete. */
    @Test
    void anEntryThatWouldNeverCompleteIsRefusedAndTheLoopStaysUsable() throws Exception {
        try (EventLoop loop = EventLoop.start("test-loop", 8)) {
            assertThatThrownBy(() -> loop.execute(entry -> entry.prepare(0, -1, 0, 0, 0).skipCompletionOnSuccess(),
                    TIMEOUT, "nop"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only the first of a linked pair");
            assertThat(loop.execute(entry -> entry.prepare(0, -1, 0, 0, 0), TIMEOUT, "nop")).isZero();
        }
    }

    @Test
    void aDeadlineCancelsOnlyTheOperationThatRanOut() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket quiet = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket quietPeer = server.accept();
             UringSocket talker = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket talkerPeer = server.accept();
             Arena arena = Arena.ofShared()) {
            var patient = Thread.ofVirtual().start(() -> {
                try {
                    quiet.recv(arena.allocate(1), Duration.ofSeconds(30));
                } catch (IOException ignored) {
                    // ended by the socket's close below
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> talker.recv(arena.allocate(1), Duration.ofMillis(200)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageStartingWith("recv: timed out after 200 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
            assertThat(patient.isAlive()).as("the other receive, 30 s to go").isTrue();

            talkerPeer.getOutputStream().write(9);
            MemorySegment one = arena.allocate(1);
            assertThat(talker.recv(one, TIMEOUT)).isEqualTo(1);
            assertThat(one.get(JAVA_BYTE, 0)).isEqualTo((byte) 9);
            quiet.close();
            patient.join(5_000);
            assertThat(patient.isAlive()).isFalse();
        }
    }

    @Test
    void anInterruptCancelsTheWaitAndTheRingGoesOn() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept();
             Arena arena = Arena.ofShared()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch waiting = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    waiting.countDown();
                    socket.recv(arena.allocate(1), null);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            waiting.await();
            Thread.sleep(100);
            reader.interrupt();
            reader.join(5_000);

            assertThat(failure.get()).isInstanceOf(InterruptedIOException.class).hasMessageStartingWith("recv");
            peer.getOutputStream().write(1);
            assertThat(socket.recv(arena.allocate(1), TIMEOUT)).isEqualTo(1);
        }
    }

    // tag::close-in-flight[]
    @Test
    void closingTheLoopEndsEveryWaitingCallerWithAClearException() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             Arena arena = Arena.ofShared()) {
            EventLoop loop = EventLoop.start("test-loop", 8);
            List<UringSocket> sockets = new ArrayList<>();
            List<Socket> peers = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 8; i++) {
                UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
                sockets.add(socket);
                peers.add(server.accept());
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        socket.recv(arena.allocate(16), null);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            Thread.sleep(200);   // all eight receives are in the kernel

            Thread.ofPlatform().start(loop::close).join(10_000);
            for (Thread t : readers) {
                t.join(5_000);
            }

            assertThat(failures).hasSize(8).allSatisfy(t -> assertThat(t)
                    .isInstanceOf(EventLoopClosedException.class)
                    .hasMessageContaining("the io_uring event loop was closed"));
            assertThatThrownBy(() -> sockets.getFirst().recv(arena.allocate(1), TIMEOUT))
                    .isInstanceOf(EventLoopClosedException.class);
            for (UringSocket s : sockets) {
                s.close();
            }
            for (Socket p : peers) {
                p.close();
            }
        }
    }
    // end::close-in-flight[]

    // tag::close-socket-in-flight[]
    @Test
    void closingASocketWhileAnotherThreadWaitsOnItEndsThatWaitAndRefusesMore() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             Arena arena = Arena.ofShared()) {
            UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
            try (Socket peer = server.accept()) {
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        int n = socket.recv(arena.allocate(16), null);
                        failure.set(new AssertionError("recv returned " + n));
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                Thread.sleep(100);
                long fds = IoUringTest.openDescriptors();

                socket.close();
                reader.join(5_000);

                assertThat(reader.isAlive()).isFalse();
                assertThat(failure.get()).isInstanceOf(SocketException.class).hasMessageStartingWith("recv: socket closed");
                assertThat(IoUringTest.openDescriptors()).as("the descriptor, released by the receive").isEqualTo(fds - 1);
                assertThatThrownBy(() -> socket.send(arena.allocate(1), TIMEOUT))
                        .isInstanceOf(SocketException.class).hasMessageStartingWith("send: socket closed");
                assertThatThrownBy(socket::fd).isInstanceOf(IllegalStateException.class);
            }
        }
    }
    // end::close-socket-in-flight[]

    // tag::watch[]
    @Test
    void aWatchFiresWhenThePeerWritesAndACancelledOneEndsWithoutAWait() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept()) {
            EventLoop.Pending quiet = socket.watchReadable();
            Thread.sleep(100);
            // Handed over without waking the loop: it goes to the kernel with the next batch.
            assertThat(quiet.submitted()).as("before any other operation").isFalse();
            nudge(loop);
            assertThat(quiet.submitted()).as("with the next batch").isTrue();
            Thread.sleep(100);
            assertThat(quiet.isDone()).as("nothing sent yet").isFalse();
            quiet.cancel();
            assertThat(eventually(quiet::isDone)).isTrue();
            assertThat(quiet.result()).isEqualTo(-Errno.ECANCELED.number());

            EventLoop.Pending watch = socket.watchReadable();
            nudge(loop);
            peer.getOutputStream().write(1);
            assertThat(eventually(watch::isDone)).as("fired by the peer's byte").isTrue();
            assertThat(watch.result() & dev.ktlsuring.uring.abi.socket_h.POLLIN()).isNotZero();
        }
    }
    // end::watch[]

    @Test
    void closingASocketWithAWatchInFlightReleasesItsDescriptorOnceTheWatchEnds() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8)) {
            UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
            try (Socket peer = server.accept()) {
                EventLoop.Pending watch = socket.watchReadable();
                nudge(loop);
                long fds = IoUringTest.openDescriptors();
                socket.close();
                assertThat(eventually(watch::isDone)).as("ended by the shutdown").isTrue();
                assertThat(eventually(() -> openDescriptorsQuietly() == fds - 1)).as("descriptor released").isTrue();
            }
        }
    }

    /** Any operation makes the loop take a batch, and with it what was handed over without waking it. */
    private static void nudge(EventLoop loop) throws IOException {
        assertThat(loop.execute(entry -> entry.prepare(0, -1, 0, 0, 0), TIMEOUT, "nop")).isZero();   // IORING_OP_NOP
    }

    private static long openDescriptorsQuietly() {
        try {
            return IoUringTest.openDescriptors();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); System.nanoTime() < deadline; Thread.sleep(5)) {
            if (condition.getAsBoolean()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aHeapSegmentIsRefusedBeforeAnythingReachesTheKernel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test-loop", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept();
             Arena arena = Arena.ofShared()) {
            long operations = loop.completedOperations();
            assertThatThrownBy(() -> socket.recv(MemorySegment.ofArray(new byte[16]), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("recv: io_uring needs native memory");
            assertThat(loop.completedOperations()).isEqualTo(operations);
            peer.getOutputStream().write(5);
            assertThat(socket.recv(arena.allocate(1), TIMEOUT)).isEqualTo(1);
        }
    }

    /** Accepts {@code count} connections and echoes each until its peer closes. */
    static final class Echo implements AutoCloseable {
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        Echo(ServerSocket server, int count) {
            threads.submit(() -> {
                for (int i = 0; i < count; i++) {
                    Socket s = server.accept();
                    threads.submit(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        }
                        return null;
                    });
                }
                return null;
            });
        }

        @Override
        public void close() {
            threads.shutdownNow();
        }
    }
}
