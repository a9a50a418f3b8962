package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UringSocketTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    // tag::round-trip[]
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void connectsAndBytesRoundTrip(String loopback) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(loopback));
             EchoOnce echo = new EchoOnce(server);
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, loopback, server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {

            MemorySegment hello = arena.allocateFrom("hello, io_uring");   // NUL-terminated: 16 bytes
            socket.sendFully(hello, TIMEOUT);
            MemorySegment reply = arena.allocate(hello.byteSize());
            socket.recvFully(reply, TIMEOUT);

            assertThat(reply.getString(0)).isEqualTo("hello, io_uring");
            assertThat(socket.remote().getAddress()).isEqualTo(InetAddress.getByName(loopback));
        }
    }
    // end::round-trip[]

    // tag::refused[]
    @Test
    void refusedPortNamesErrnoAndAddress() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();   // nothing listens here once it is closed
        }
        try (EventLoop loop = EventLoop.start("test", 8)) {
            assertThatThrownBy(() -> UringSocket.connect(loop, "127.0.0.1", closedPort, TIMEOUT))
                    .isInstanceOf(ConnectException.class)
                    .hasMessage("connect: ECONNREFUSED (127.0.0.1:" + closedPort + ")");
        }
    }
    // end::refused[]

    // tag::timeout[]
    @Test
    void deadlineCancelsAConnectThatNeverCompletes() throws Exception {
        // A listener whose accept queue is full drops further SYNs, so a connect to it stays pending:
        // a non-answering peer that never leaves loopback.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Backlog backlog = Backlog.fill(server);
             EventLoop loop = EventLoop.start("test", 8)) {
            Duration timeout = Duration.ofMillis(300);
            long start = System.nanoTime();

            assertThatThrownBy(() -> UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), timeout))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("connect: timed out after 300 ms (127.0.0.1:" + server.getLocalPort() + ")");

            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMillis).isBetween(250L, 5_000L);
            assertThat(backlog.size()).isPositive();
        }
    }
    // end::timeout[]

    @Test
    void unknownHostIsReportedBeforeAnySocketExists() throws Exception {
        try (EventLoop loop = EventLoop.start("test", 8)) {
            assertThatThrownBy(() -> UringSocket.connect(loop, "no-such-host.invalid", 443, TIMEOUT))
                    .isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("no-such-host.invalid");
        }
    }

    // tag::no-leaks[]
    @Test
    void manyConnectsLeakNoDescriptors() throws Exception {
        // A large backlog lets the kernel complete every handshake without accept(), so the only
        // descriptors this test creates are the client's: the rings and the sockets.
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            connectAndClose(server, 20);   // warm up: class loading opens jar files once
            long before = openDescriptors();

            connectAndClose(server, 500);

            assertThat(openDescriptors()).isEqualTo(before);
        }
    }
    // end::no-leaks[]

    @Test
    void sendAfterPeerClosedFailsWithErrnoNotSignal() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            server.accept().close();   // the peer resets on our next segments
            MemorySegment chunk = arena.allocate(64 * 1024);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    socket.sendFully(chunk, TIMEOUT);
                    Thread.sleep(2);
                }
            }).isInstanceOf(java.net.SocketException.class)
                    .hasMessageMatching("send: (EPIPE|ECONNRESET) \\(127\\.0\\.0\\.1:\\d+\\)");
        }
    }

    @Test
    void recvReturnsZeroAtEndOfStream() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Arena arena = Arena.ofConfined()) {
            try (Socket peer = server.accept()) {
                peer.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            }
            MemorySegment buffer = arena.allocate(16);
            int n = socket.recv(buffer, TIMEOUT);
            assertThat(buffer.asSlice(0, n).toArray(JAVA_BYTE)).asString(StandardCharsets.US_ASCII).isEqualTo("bye");
            assertThat(socket.recv(buffer, TIMEOUT)).isZero();
        }
    }

    @Test
    void recvTimesOutOnASilentPeer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept();
             Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> socket.recv(arena.allocate(16), Duration.ofMillis(200)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageStartingWith("recv: timed out after 200 ms");
            // The ring is still usable after a cancelled operation.
            peer.getOutputStream().write(42);
            MemorySegment one = arena.allocate(1);
            assertThat(socket.recv(one, TIMEOUT)).isEqualTo(1);
            assertThat(one.get(JAVA_BYTE, 0)).isEqualTo((byte) 42);
        }
    }

    /**
     * A send the kernel takes only part of must not leave its linked receive waiting for a reply to
     * half a request: the peer here replies only once it has every byte, and reads nothing until the
     * socket's send buffer has filled, so the linked send is short unless the loop finishes it. The
     * receive's own time limit is a minute: without the fix only that limit ends the wait. With
     * MSG_WAITALL the kernel finishes the send; without it (as on a kTLS socket) the loop cancels the
     * receive and the socket finishes the send.
     */
    @ParameterizedTest(name = "MSG_WAITALL: {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aShortLinkedSendIsFinishedBeforeItsReceiveWaits(boolean waitAll) throws Exception {
        int size = 32 << 20;   // far beyond loopback's socket buffers
        Duration patient = Duration.ofMinutes(1);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept();
             Arena arena = Arena.ofConfined()) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                    InputStream in = peer.getInputStream();
                    byte[] chunk = new byte[1 << 16];
                    for (long got = 0; got < size; ) {
                        int n = in.read(chunk);
                        if (n < 0) {
                            return;
                        }
                        got += n;
                    }
                    peer.getOutputStream().write("done".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException | InterruptedException e) {
                    // the assertions below fail without the reply
                }
            });
            if (!waitAll) {
                socket.sendWithoutWaitAll();
            }
            MemorySegment request = arena.allocate(size);
            MemorySegment reply = arena.allocate(16);
            int n = socket.checked("recv", socket.sendThen(request, "recv", patient,
                    (entry, fd) -> entry.recv(fd, reply, 0)), patient);
            reader.join();

            assertThat(reply.asSlice(0, n).toArray(JAVA_BYTE)).asString(StandardCharsets.US_ASCII).isEqualTo("done");
        }
    }

    /** The check a client makes before reusing an idle connection: it must see data and EOF, and never wait. */
    @Test
    void readableNowSeesDataAndEndOfStreamWithoutWaiting() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EventLoop loop = EventLoop.start("test", 8);
             UringSocket socket = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT);
             Socket peer = server.accept();
             Arena arena = Arena.ofConfined()) {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertThat(socket.readableNow()).as("idle socket, check %d", i).isFalse();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            peer.getOutputStream().write(7);
            assertThat(eventuallyReadable(socket)).as("one unread byte").isTrue();
            assertThat(socket.recv(arena.allocate(1), TIMEOUT)).isEqualTo(1);
            assertThat(socket.readableNow()).as("after reading it").isFalse();

            peer.shutdownOutput();
            assertThat(eventuallyReadable(socket)).as("FIN").isTrue();
            assertThat(socket.recv(arena.allocate(1), TIMEOUT)).isZero();
        }
    }

    /** Loopback delivery is asynchronous to the sender's write: give it a moment. */
    private static boolean eventuallyReadable(UringSocket socket) throws IOException, InterruptedException {
        for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); System.nanoTime() < deadline; Thread.sleep(5)) {
            if (socket.readableNow()) {
                return true;
            }
        }
        return false;
    }

    private static void connectAndClose(ServerSocket server, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (EventLoop loop = EventLoop.start("test", 4);
                 UringSocket ignored = UringSocket.connect(loop, "127.0.0.1", server.getLocalPort(), TIMEOUT)) {
                assertThat(ignored.fd()).isPositive();
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Accepts one connection and echoes everything back until the peer closes. */
    private static final class EchoOnce implements AutoCloseable {
        private final Thread thread;

        EchoOnce(ServerSocket server) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // the test's assertions report what went wrong
                }
            });
        }

        @Override
        public void close() {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Plain sockets that fill a listener's accept queue until a SYN goes unanswered. */
    private static final class Backlog implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();

        static Backlog fill(ServerSocket server) throws IOException {
            Backlog backlog = new Backlog();
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 200);
                    backlog.sockets.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return backlog;
                }
            }
            backlog.close();
            throw new IllegalStateException("the accept queue never filled");
        }

        int size() {
            return sockets.size();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
