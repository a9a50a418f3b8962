package dev.ktlsuring.bench;

import dev.ktlsuring.uring.BufferRing;
import dev.ktlsuring.uring.Errno;
import dev.ktlsuring.uring.IoUring;
import dev.ktlsuring.uring.SocketAddresses;
import dev.ktlsuring.uring.SystemCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_F_BUFFER;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_CQE_F_MORE;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_REGISTER_FILES;
import static dev.ktlsuring.uring.abi.io_uring_h.IORING_UNREGISTER_FILES;
import static dev.ktlsuring.uring.abi.socket_h.AF_INET;
import static dev.ktlsuring.uring.abi.socket_h.IPPROTO_TCP;
import static dev.ktlsuring.uring.abi.socket_h.MSG_NOSIGNAL;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_CLOEXEC;
import static dev.ktlsuring.uring.abi.socket_h.SOCK_STREAM;
import static dev.ktlsuring.uring.abi.socket_h.TCP_NODELAY;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The ring scenario ({@code final/bench --scenarios ring}): what registered files and multishot
 * receive into provided buffers would save this client, measured without TLS or HTTP around them.
 *
 * <p>One thread drives one {@link IoUring} directly (prepare, submitAndWait, reap; no event loop) over
 * {@link #CONNECTIONS} TCP loopback connections, each doing 1 KiB request/response exchanges with an
 * echo peer in the same JVM: one thread with a {@link Selector}, the same for every variant. An
 * exchange is a 1 KiB send and the whole 1 KiB echo received and checked, as a request of this client
 * is a send linked to a receive. The variants differ only in how the ring does that (see
 * {@link Variant}); the figures are the whole process's CPU (the peer's included, which every variant
 * shares, so differences between variants are the ring side's), the ring thread's own CPU, and the
 * ring's {@code io_uring_enter} calls.
 */
final class RingBench {

    static final int CONNECTIONS = 64, MESSAGE = 1024;
    /** Provided buffers: two per connection, while at most one message per connection is in flight. */
    static final int BUFFERS = 2 * CONNECTIONS;
    static final int BUFFER_GROUP = 1;
    /** How long a wait in the kernel lasts at most when it waits for a batch, as the client's loop does. */
    static final long COALESCE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** How the ring sends and receives. */
    enum Variant {
        PLAIN("a", "plain fd, one recv per message", false, false),
        FIXED("b", "registered files", true, false),
        MULTISHOT("c", "multishot recv, provided buffers", false, true),
        MULTISHOT_FIXED("d", "multishot recv, provided buffers, registered files", true, true);

        final String letter, description;
        final boolean fixedFiles, multishot;

        Variant(String letter, String description, boolean fixedFiles, boolean multishot) {
            this.letter = letter;
            this.description = description;
            this.fixedFiles = fixedFiles;
            this.multishot = multishot;
        }

        String label() {
            return "(" + letter + ") " + description;
        }
    }

    /**
     * One timed run: {@code exchanges} over {@link #CONNECTIONS} connections; the process's CPU
     * (getrusage, every thread), the ring thread's, its {@code io_uring_enter} calls, the entries it
     * submitted, and how often a multishot receive ended and was armed again.
     */
    record Run(Variant variant, int exchanges, long wallNanos, CpuTime cpu, long ringThreadNanos, long enterCalls,
               long entries, long rearms) {

        double cpuMicrosPerExchange() {
            return cpu.totalNanos() / 1e3 / exchanges;
        }

        double ringThreadMicrosPerExchange() {
            return ringThreadNanos / 1e3 / exchanges;
        }

        double exchangesPerSecond() {
            return exchanges * 1e9 / wallNanos;
        }

        double enterCallsPerExchange() {
            return (double) enterCalls / exchanges;
        }

        double entriesPerExchange() {
            return (double) entries / exchanges;
        }
    }

    private RingBench() {
    }

    /**
     * {@code warmup} rounds, then {@code rounds} measured ones; in each, every variant runs
     * {@code exchanges} exchanges, the order of the variants rotated each round, so that a busy spell on
     * the machine falls on all of them alike.
     *
     * @return the measured runs of each variant, round by round
     */
    static Map<Variant, List<Run>> measure(int warmup, int rounds, int exchanges, Consumer<String> log)
            throws IOException, InterruptedException {
        Map<Variant, List<Run>> runs = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            runs.put(v, new ArrayList<>());
        }
        List<Variant> variants = List.of(Variant.values());
        for (int round = 0; round < warmup + rounds; round++) {
            boolean measured = round >= warmup;
            String phase = measured ? "round " + (round - warmup + 1) + "/" + rounds : "warm-up " + (round + 1) + "/" + warmup;
            List<Variant> order = new ArrayList<>(variants);
            Collections.rotate(order, -(round % order.size()));
            for (Variant v : order) {
                Run r = run(v, exchanges);
                log.accept(String.format(Locale.ROOT, "%-13s ring %-55s %8.0f exch/s  %5.2f CPU µs/exch  ring thread "
                        + "%5.2f µs  %5.3f io_uring_enter/exch", phase, v.label(), r.exchangesPerSecond(),
                        r.cpuMicrosPerExchange(), r.ringThreadMicrosPerExchange(), r.enterCallsPerExchange()));
                if (measured) {
                    runs.get(v).add(r);
                }
            }
        }
        return runs;
    }

    // tag::run[]
    /** One run of {@code variant}: a fresh peer, ring and connections, {@code exchanges} exchanges timed. */
    static Run run(Variant variant, int exchanges) throws IOException, InterruptedException {
        // Closed in reverse: the connections, then the ring, and only then the memory its operations used.
        try (EchoPeer peer = EchoPeer.open();
             Arena arena = Arena.ofConfined();
             IoUring ring = IoUring.open(4 * CONNECTIONS);
             Sockets sockets = Sockets.connect(ring, peer, CONNECTIONS, arena)) {
            peer.start(CONNECTIONS);
            int[] handles = sockets.fds.clone();
            if (variant.fixedFiles) {
                // The table's index i is connection i: entries carry i instead of the descriptor.
                ring.register(IORING_REGISTER_FILES(), arena.allocateFrom(JAVA_INT, sockets.fds), CONNECTIONS);
                for (int i = 0; i < CONNECTIONS; i++) {
                    handles[i] = i;
                }
            }
            try (BufferRing buffers = variant.multishot ? BufferRing.register(ring, BUFFER_GROUP, BUFFERS, MESSAGE) : null) {
                Exchanges x = new Exchanges(variant, ring, buffers, handles, arena, peer);
                Run r;
                try {
                    x.arm();
                    ring.submit();
                    System.gc();                     // a collection now rather than in the timed exchanges
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    long enters = ring.enterCalls(), thread = threads.getCurrentThreadCpuTime();
                    long entries = x.entries, rearms = x.rearms;
                    CpuTime cpu = CpuTime.self();
                    long start = System.nanoTime();
                    x.drive(exchanges);
                    long wall = System.nanoTime() - start;
                    CpuTime used = CpuTime.self().minus(cpu);
                    r = new Run(variant, exchanges, wall, used, threads.getCurrentThreadCpuTime() - thread,
                            ring.enterCalls() - enters, x.entries - entries, x.rearms - rearms);
                } catch (IOException | RuntimeException | Error e) {
                    try {
                        x.disarm();
                    } catch (IOException | RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                }
                x.disarm();
                peer.check();
                return r;
            } finally {
                if (variant.fixedFiles) {
                    ring.register(IORING_UNREGISTER_FILES(), MemorySegment.NULL, 0);
                }
            }
        }
    }
    // end::run[]

    /** Completions' user data: the connection in the high bits, what completed in the low byte. */
    private static final int SEND = 1, RECV = 2, CANCEL = 3;

    /** The exchanges of one run, and the handler of their completions. */
    private static final class Exchanges implements IoUring.CompletionHandler {

        private final Variant variant;
        private final IoUring ring;
        private final BufferRing buffers;
        private final int[] handles;
        private final MemorySegment[] out, in;
        private final long[] serial;
        private final int[] received;
        private final boolean[] armed;
        private final EchoPeer peer;
        private int target, started, completed, inFlight;
        private long entries, rearms;
        private boolean disarming;

        Exchanges(Variant variant, IoUring ring, BufferRing buffers, int[] handles, Arena arena, EchoPeer peer) {
            this.variant = variant;
            this.ring = ring;
            this.buffers = buffers;
            this.handles = handles;
            this.peer = peer;
            int n = handles.length;
            out = new MemorySegment[n];
            in = new MemorySegment[n];
            for (int i = 0; i < n; i++) {
                out[i] = arena.allocate(MESSAGE, 64);
                in[i] = arena.allocate(MESSAGE, 64);
            }
            serial = new long[n];
            received = new int[n];
            armed = new boolean[n];
        }

        /** Multishot: one receive per connection, armed before the timed exchanges and kept. */
        void arm() {
            if (variant.multishot) {
                for (int c = 0; c < handles.length; c++) {
                    armReceive(c);
                }
            }
        }

        private void armReceive(int c) {
            int handle = handles[c];
            ring.prepare(tag(c, RECV), e -> {
                e.recvMultishot(handle, buffers.group(), 0);
                if (variant.fixedFiles) {
                    e.fixedFile();
                }
            });
            entries++;
            armed[c] = true;
        }

        // tag::drive[]
        /**
         * Runs {@code n} exchanges, every connection busy while any are left. Each wait in the kernel is
         * for a quarter of the completions the exchanges in flight will post (two each: the send's and
         * the receive's), 100 µs at most, as the client's loop waits for a quarter of its operations.
         */
        void drive(int n) throws IOException {
            target = n;
            for (int c = 0; c < handles.length && started < target; c++) {
                start(c);
            }
            int idle = 0;
            while (completed < target) {
                if (ring.canBoundWaits()) {
                    ring.submitAndWait(Math.max(1, Math.min(64, inFlight / 2)), COALESCE_NANOS);
                } else {
                    ring.submitAndWait(1);
                }
                if (ring.reap(this) > 0) {
                    idle = 0;
                } else if (++idle % 1000 == 0) {
                    peer.check();
                    if (idle >= 50_000) {           // at least 5 s without a completion
                        throw new IOException("ring: no completion for 5 s with " + inFlight + " exchanges in flight");
                    }
                }
            }
        }

        private void start(int c) {
            long s = started++;
            serial[c] = s;
            received[c] = 0;
            inFlight++;
            // The exchange's number at both ends of the message: the echo must bring back this one, whole.
            out[c].set(JAVA_LONG, 0, s);
            out[c].set(JAVA_LONG, MESSAGE - 8, s);
            int handle = handles[c];
            MemorySegment message = out[c];
            boolean fixed = variant.fixedFiles;
            if (variant.multishot) {
                ring.prepare(tag(c, SEND), e -> {
                    e.send(handle, message, MSG_NOSIGNAL());
                    if (fixed) {
                        e.fixedFile();
                    }
                });
                entries++;
            } else {
                // As the client does: the send linked to the receive of its response.
                ring.prepare(tag(c, SEND), e -> {
                    e.send(handle, message, MSG_NOSIGNAL()).linkNext();
                    if (fixed) {
                        e.fixedFile();
                    }
                });
                receive(c);
                entries++;
            }
        }

        /** Plain: a receive of what is missing of the echo, into the connection's own buffer. */
        private void receive(int c) {
            int handle = handles[c];
            MemorySegment into = in[c].asSlice(received[c]);
            boolean fixed = variant.fixedFiles;
            ring.prepare(tag(c, RECV), e -> {
                e.recv(handle, into, 0);
                if (fixed) {
                    e.fixedFile();
                }
            });
            entries++;
        }
        // end::drive[]

        // tag::complete[]
        @Override
        public void complete(long userData, int result, int flags) {
            int c = (int) (userData >>> 8);
            switch ((int) (userData & 0xFF)) {
                case SEND -> {
                    if (result != MESSAGE) {
                        throw failure(c, "send", result);
                    }
                }
                case RECV -> {
                    if (variant.multishot) {
                        multishot(c, result, flags);
                    } else if (result <= 0) {
                        throw failure(c, "recv", result);
                    } else {
                        received[c] += result;
                        if (received[c] < MESSAGE) {
                            receive(c);
                        } else {
                            finish(c);
                        }
                    }
                }
                default -> {
                    // a cancellation's own completion (disarm): its receive's says what happened
                }
            }
        }

        private void multishot(int c, int result, int flags) {
            if ((flags & IORING_CQE_F_BUFFER()) != 0) {
                int id = BufferRing.bufferId(flags);
                if (result > 0) {
                    if (received[c] + result > MESSAGE) {
                        throw new IllegalStateException("ring: connection " + c + " received more than its message");
                    }
                    // The client would take its bytes out of the provided buffer too: the copy is part of the cost.
                    MemorySegment.copy(buffers.buffer(id), 0, in[c], received[c], result);
                    received[c] += result;
                }
                buffers.recycle(id);
            }
            if ((flags & IORING_CQE_F_MORE()) == 0) {
                armed[c] = false;
                if (!disarming) {
                    // The receive has ended: with data or for want of a buffer it is armed again.
                    if (result <= 0 && !Errno.ENOBUFS.isResult(result)) {
                        throw failure(c, "multishot recv", result);
                    }
                    armReceive(c);
                    rearms++;
                }
            } else if (result <= 0) {
                throw failure(c, "multishot recv", result);
            }
            if (result > 0 && received[c] == MESSAGE) {
                finish(c);
            }
        }

        private void finish(int c) {
            long s = serial[c];
            if (in[c].get(JAVA_LONG, 0) != s || in[c].get(JAVA_LONG, MESSAGE - 8) != s) {
                throw new IllegalStateException("ring: connection " + c + " got back another message than exchange " + s);
            }
            completed++;
            inFlight--;
            if (started < target) {
                start(c);
            }
        }
        // end::complete[]

        /**
         * Multishot: cancels every receive still armed and waits for each one's last completion, so that
         * the kernel holds none of the buffers when they are unregistered and freed.
         */
        void disarm() throws IOException {
            if (!variant.multishot) {
                return;
            }
            disarming = true;
            for (int c = 0; c < armed.length; c++) {
                if (armed[c]) {
                    long receive = tag(c, RECV);
                    ring.prepare(tag(c, CANCEL), e -> e.cancel(receive));
                }
            }
            for (int waits = 0; anyArmed(); waits++) {
                if (waits == 1000) {
                    throw new IOException("ring: multishot receives not ended after cancelling them");
                }
                if (ring.canBoundWaits()) {
                    ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(10));
                } else {
                    ring.submitAndWait(1);
                }
                ring.reap(this);
            }
        }

        private boolean anyArmed() {
            for (boolean a : armed) {
                if (a) {
                    return true;
                }
            }
            return false;
        }

        private static long tag(int connection, int what) {
            return (long) connection << 8 | what;
        }

        private static IllegalStateException failure(int c, String operation, int result) {
            return new IllegalStateException("ring: connection " + c + ": " + operation + " "
                    + (result < 0 ? Errno.nameOf(-result) : result == 0 ? "end of stream" : result + " of " + MESSAGE + " bytes"));
        }
    }

    /** The ring side's connections, opened through the ring; closes what it opened. */
    private static final class Sockets implements AutoCloseable {

        final int[] fds;
        private int opened;

        private Sockets(int count) {
            fds = new int[count];
        }

        static Sockets connect(IoUring ring, EchoPeer peer, int count, Arena arena) throws IOException {
            Sockets s = new Sockets(count);
            try {
                InetSocketAddress remote = peer.address();
                MemorySegment address = SocketAddresses.encode(remote, arena);
                for (int i = 0; i < count; i++) {
                    s.fds[i] = SystemCalls.socket(AF_INET(), SOCK_STREAM() | SOCK_CLOEXEC(), 0);
                    s.opened++;
                    int fd = s.fds[i];
                    ring.prepare(i, e -> e.connect(fd, address));
                }
                int[] done = {0};
                IOException[] failed = {null};
                while (done[0] < count) {
                    ring.submitAndWait(1);
                    ring.reap((userData, result, flags) -> {
                        done[0]++;
                        if (result < 0 && failed[0] == null) {
                            failed[0] = Errno.exception("connect", result, SocketAddresses.format(remote));
                        }
                    });
                }
                if (failed[0] != null) {
                    throw failed[0];
                }
                for (int fd : s.fds) {
                    // As the client's connections: a small message goes out at once.
                    SystemCalls.setsockopt(fd, IPPROTO_TCP(), TCP_NODELAY(), 1, "TCP_NODELAY");
                }
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (int i = 0; i < opened; i++) {
                SystemCalls.close(fds[i]);
            }
            opened = 0;
        }
    }

    // tag::peer[]
    /**
     * The far end of every connection: one thread that sends back whatever arrives, over
     * {@code java.nio} with a {@link Selector}. It is the same for every variant, so its CPU is a constant
     * in the process's.
     */
    static final class EchoPeer implements AutoCloseable {

        private final ServerSocketChannel server;
        private final Selector selector;
        private final List<SocketChannel> channels = new ArrayList<>();
        private Thread thread;
        private volatile boolean stopping;
        private volatile Throwable failure;

        private EchoPeer(ServerSocketChannel server, Selector selector) {
            this.server = server;
            this.selector = selector;
        }

        static EchoPeer open() throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open();
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4 * CONNECTIONS);
                return new EchoPeer(server, Selector.open());
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        /** Accepts {@code connections} connections, already made, and starts echoing on them. */
        void start(int connections) throws IOException {
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = server.accept();
                channels.add(channel);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
            }
            thread = Thread.ofPlatform().name("ring-bench-echo").daemon().start(this::echo);
        }

        private void echo() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (!stopping) {
                    selector.select(key -> {
                        SocketChannel channel = (SocketChannel) key.channel();
                        try {
                            if (channel.read(buffer) < 0) {
                                key.cancel();
                                return;
                            }
                            buffer.flip();
                            while (buffer.hasRemaining()) {
                                channel.write(buffer);
                            }
                            buffer.clear();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                }
            } catch (Throwable t) {
                failure = t;
                // Ends the ring side's receives at once rather than leaving them waiting.
                closeChannels();
            }
        }

        /** Throws what stopped the peer, if anything did. */
        void check() throws IOException {
            Throwable t = failure;
            if (t != null) {
                throw new IOException("ring: the echo peer failed: " + t, t);
            }
        }

        private void closeChannels() {
            for (SocketChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing: nothing more to do with it
                }
            }
        }

        @Override
        public void close() throws IOException {
            stopping = true;
            selector.wakeup();
            try {
                if (thread != null) {
                    thread.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeChannels();
                try {
                    selector.close();
                } finally {
                    server.close();
                }
            }
        }
    }
    // end::peer[]
}
