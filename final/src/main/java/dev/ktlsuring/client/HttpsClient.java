package dev.ktlsuring.client;

import dev.ktlsuring.fallback.SecureConnection;
import dev.ktlsuring.fallback.UserspaceChannel;
import dev.ktlsuring.http.ByteSource;
import dev.ktlsuring.http.Header;
import dev.ktlsuring.http.HttpProtocolException;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.http.ResponseReader;
import dev.ktlsuring.http.ResponseReader.Heads;
import dev.ktlsuring.http.TruncatedResponseException;
import dev.ktlsuring.io.TlsChannel;
import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.SocketAddresses;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * An HTTPS/1.1 client on the whole pipeline: io_uring for every byte, the kernel for TLS records when
 * it can (userspace otherwise), kept-alive connections pooled per host and port, no redirects followed.
 *
 * <p>A client is thread-safe and meant to be shared, like {@code java.net.http.HttpClient}: all its
 * connections run on one {@link EventLoop}, so requests from any number of threads, platform or
 * virtual, are submitted to one ring and reach the kernel in batches. {@link #send} blocks the calling
 * thread (a virtual thread parks, freeing its carrier); {@link #sendAsync} runs the exchange on a
 * virtual thread of its own. {@link #close} may be called from any thread: it closes every connection,
 * fails the requests in flight with {@link ClientClosedException}, and then the ring.
 */
public final class HttpsClient implements AutoCloseable {

    /** Submission slots of the client's ring: room for a batch from many connections at once. */
    private static final int RING_ENTRIES = 256;

    private final ClientOptions options;
    private final EventLoop loop;
    private final ConnectionPool<Connection> pool;
    private final Set<Connection> inUse = ConcurrentHashMap.newKeySet();
    private final ThreadFactory asyncThreads = Thread.ofVirtual().name("https-client-", 0).factory();
    private volatile boolean closed;

    private HttpsClient(ClientOptions options, EventLoop loop) {
        this.options = options;
        this.loop = loop;
        this.pool = new ConnectionPool<>(options.maxConnectionsPerHost(), options.idleTimeout(), Connection::close);
    }

    /** A client with its own io_uring ring and the thread that drives it. */
    public static HttpsClient create(ClientOptions options) throws IOException {
        return new HttpsClient(options, EventLoop.start("https-client-io_uring", RING_ENTRIES));
    }

    // tag::send[]
    /** Sends {@code request} and returns the response with its body in memory (up to 1 GiB). */
    public HttpResponse send(Request request) throws IOException {
        return send(request, head -> null);
    }

    /**
     * Sends {@code request}; once the response's header section has arrived, {@code heads} says where
     * the body goes (a stream, written as it arrives), or {@code null} to keep it in memory. It also
     * hears of interim responses (100 Continue, 103 Early Hints) as they come.
     *
     * <p>A kept-alive connection may turn out to have been closed by the server before it read the
     * request. The request is then sent again on a new connection, but only if doing so cannot
     * duplicate it: its method is idempotent (RFC 9110 §9.2.2) and its body can be replayed.
     */
    public HttpResponse send(Request request, Heads heads) throws IOException {
        String key = request.host() + ":" + request.port();
        try {
            return sendOnce(request, heads, key);
        } catch (IOException e) {
            if (closed && !(e instanceof ClientClosedException)) {
                // Whatever the close interrupted (connect, handshake, exchange), that is what happened.
                var aborted = new ClientClosedException("the HttpsClient was closed while the request to "
                        + key + " was in flight");
                aborted.initCause(e);
                throw aborted;
            }
            throw e;
        }
    }

    private HttpResponse sendOnce(Request request, Heads heads, String key) throws IOException {
        Duration limit = request.timeout() != null ? request.timeout() : options.timeout();
        long deadline = System.nanoTime() + limit.toNanos();
        Connection c = lease(request, key, deadline, limit);
        try {
            return exchange(c, request, heads, deadline, limit, key);
        } catch (StaleConnectionException stale) {
            if (!replayable(request)) {
                throw new TruncatedResponseException("the server closed the kept-alive connection without "
                        + "responding; " + request.method() + (idempotent(request.method())
                        ? " with a one-shot stream body" : " is not idempotent") + ", so it was not sent again");
            }
            options.trace().accept("Kept-alive connection was closed by the server; sending again on a new connection");
            // A new connection is never taken for a stale one: its failures are reported as they are.
            return exchange(open(request, key, deadline, limit), request, heads, deadline, limit, key);
        }
    }
    // end::send[]

    /**
     * Sends {@code request} on a virtual thread of its own; the future completes with the response (body
     * in memory), or exceptionally with the {@link IOException} that {@link #send} would have thrown.
     */
    public CompletableFuture<HttpResponse> sendAsync(Request request) {
        CompletableFuture<HttpResponse> result = new CompletableFuture<>();
        try {
            ensureOpen();
            asyncThreads.newThread(() -> {
                try {
                    result.complete(send(request));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }).start();
        } catch (RuntimeException | IOException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Whether sending {@code request} twice cannot do twice what it asks: RFC 9110 §9.2.2, and a body to send again. */
    static boolean replayable(Request request) {
        return idempotent(request.method()) && request.body().replayable();
    }

    private static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /** How many {@code io_uring_enter} system calls this client's ring has made: batching's measure. */
    public long ioUringEnterCalls() {
        return loop.enterCalls();
    }

    /** How many io_uring operations this client has completed. */
    public long ioUringOperations() {
        return loop.completedOperations();
    }

    // tag::lease[]
    /** A kept-alive connection to the request's host that is still good, or a new one. */
    private Connection lease(Request request, String key, long deadline, Duration limit) throws IOException {
        while (true) {
            ConnectionPool.Lease<Connection> lease;
            try {
                lease = pool.acquire(key, deadline, limit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a connection to " + key);
            } catch (IllegalStateException e) {
                throw new ClientClosedException("the HttpsClient is closed");
            }
            switch (lease) {
                case ConnectionPool.Lease.Idle<Connection>(Connection idle) -> {
                    if (!idle.spoiledWhileIdle()) {
                        idle.reused = true;
                        return idle;
                    }
                    options.trace().accept("Kept-alive connection received data or a close while idle; connecting again");
                    pool.release(key, idle, false);
                }
                case ConnectionPool.Lease.Open<Connection>() -> {
                    try {
                        return connect(request, deadline, limit);
                    } catch (IOException | RuntimeException e) {
                        pool.abandon(key);
                        throw e;
                    }
                }
            }
        }
    }
    // end::lease[]

    /** A new connection outside the pool's count of idle ones, for a request sent again. */
    private Connection open(Request request, String key, long deadline, Duration limit) throws IOException {
        try {
            pool.acquireNew(key, deadline, limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a connection to " + key);
        } catch (IllegalStateException e) {
            throw new ClientClosedException("the HttpsClient is closed");
        }
        try {
            return connect(request, deadline, limit);
        } catch (IOException | RuntimeException e) {
            pool.abandon(key);
            throw e;
        }
    }

    private Connection connect(Request request, long deadline, Duration limit) throws IOException {
        ensureOpen();
        var trace = options.trace();
        trace.accept("Connecting to " + request.host() + ":" + request.port() + " via io_uring");
        // One connect limit for every address and the handshake, within what is left of the request's.
        long left = Math.min(options.connectTimeout().toNanos(), deadline - System.nanoTime());
        boolean exchangeLimit = left < options.connectTimeout().toNanos();
        Duration connectTimeout = exchangeLimit ? Duration.ofNanos(Math.max(1, left)) : options.connectTimeout();
        SecureConnection connection;
        try {
            connection = SecureConnection.open(loop, request.host(), request.port(), options.tls(), options.mode(),
                    connectTimeout);
        } catch (SocketTimeoutException e) {
            if (!exchangeLimit) {
                throw e;
            }
            // What ran out is the whole exchange's limit, not the connect limit: name that one, as an
            // exchange's timeout does, and where it ran out.
            String m = String.valueOf(e.getMessage());
            int where = m.lastIndexOf(" (");
            var t = new SocketTimeoutException("operation timed out after " + limit.toMillis() + " ms "
                    + (m.startsWith("TLS handshake") ? "in the TLS handshake" : "while connecting")
                    + (where >= 0 ? m.substring(where) : ""));
            t.initCause(e);
            throw t;
        }
        if (options.tracing()) {
            trace.accept("Connected to " + SocketAddresses.format(connection.socket().remote())
                    + " (fd " + connection.socket().fd() + ")");
            trace.accept("TLS handshake done: " + connection.session().describe());
            var chain = connection.session().peerCertificates();
            if (chain.length > 0) {
                trace.accept("Server certificate: " + chain[0].getSubjectX500Principal().getName()
                        + (options.tls().trust() instanceof dev.ktlsuring.handshake.Trust.Insecure
                        ? " (NOT verified: insecure mode)" : " (verified)"));
            }
            trace.accept(connection.outcome() instanceof KtlsEnabled
                    ? "Using kTLS (kernel TLS) + io_uring: " + connection.channel().describe()
                    : "Using " + connection.channel().describe() + " + io_uring");
        }
        return new Connection(connection);
    }

    private HttpResponse exchange(Connection c, Request request, Heads heads, long deadline, Duration limit, String key)
            throws IOException {
        boolean keep = false;
        inUse.add(c);
        try {
            if (closed) {
                throw new ClientClosedException("the HttpsClient is closed");
            }
            c.deadline = deadline;
            c.limit = limit;
            c.receivedAny = false;
            Heads traced = traced(request, heads);
            HttpResponse response;
            try {
                try {
                    writeRequest(c, request);
                } catch (SocketTimeoutException | RequestBodyException e) {
                    throw e;
                } catch (IOException e) {
                    return earlyResponse(c, request, traced, e);          // not kept: keep is false
                }
                response = c.reader.read(request.method(), traced);
            } catch (TruncatedResponseException e) {
                if (c.reused && !c.receivedAny && !closed) {
                    throw new StaleConnectionException();
                }
                throw e;
            }
            int excess = c.reader.discardExcess();
            if (excess > 0) {
                // RFC 9112 §6.3: data after a complete response is discarded, never read as the next one;
                // the same happens to data that comes later, while the connection is idle.
                options.trace().accept("Discarded " + excess + " bytes received after the response's end "
                        + "(beyond its framing); the connection is not reused");
            }
            keep = c.reader.reusable();
            return response;
        } catch (SocketTimeoutException e) {
            // Every wait in an exchange is bounded by the time left to its deadline, so whichever wait
            // timed out, it is the exchange's limit that ran out: say so, not which receive it was.
            throw c.timedOut(e);
        } catch (IOException e) {
            if (closed) {
                throw e;                          // send() says why
            }
            if (c.reused && !c.receivedAny && !(e instanceof StaleConnectionException)
                    && !(e instanceof HttpProtocolException) && !(e instanceof RequestBodyException)) {
                throw new StaleConnectionException();
            }
            throw e;
        } finally {
            inUse.remove(c);
            pool.release(key, c, keep && c.watchWhileIdle());
        }
    }

    /**
     * The server stopped taking the request (a send failed), maybe because it has answered already and
     * closed: a 413 to an upload too large, say (RFC 9110 §15.5.14). That answer, if it came whole, is
     * the exchange's result, as in curl; otherwise the send's failure is. The connection is not kept.
     */
    private HttpResponse earlyResponse(Connection c, Request request, Heads heads, IOException sendFailure)
            throws IOException {
        c.abandonOutput();
        options.trace().accept("The request could not be sent whole (" + sendFailure.getMessage()
                + "); reading what the server answered, if anything; the connection is not reused");
        try {
            return c.reader.read(request.method(), heads);
        } catch (IOException e) {
            sendFailure.addSuppressed(e);
            throw sendFailure;
        }
    }

    /** {@code heads}, with the response's heads traced, and 101 accepted only if the request asked to upgrade. */
    private Heads traced(Request request, Heads heads) {
        boolean upgrade = request.headers().stream().anyMatch(h -> h.is("Upgrade"));
        return new Heads() {
            @Override
            public OutputStream bodySink(HttpResponse head) throws IOException {
                trace(head);
                return heads.bodySink(head);
            }

            @Override
            public void interim(HttpResponse head) throws IOException {
                trace(head);
                heads.interim(head);
            }

            @Override
            public boolean upgradeRequested() {
                return upgrade;
            }

            private void trace(HttpResponse head) {
                if (options.tracing()) {
                    options.trace().accept("< " + head.statusLine());
                    head.headers().forEach(h -> options.trace().accept("< " + h));
                }
            }
        };
    }

    // tag::write-request[]
    /**
     * Request head, then the body: whole, from a file in pieces, or chunked from a stream. The head
     * announces exactly what follows (RFC 9112 §6): chunked when the caller asked for it or the length
     * is unknown, else a Content-Length of which exactly that many bytes are sent. The body's source is
     * opened first, so that a file that cannot be read fails the request before anything is sent.
     */
    private void writeRequest(Connection c, Request request) throws IOException {
        RequestBody body = request.body();
        long length = body.length();
        List<Header> headers = new ArrayList<>(request.headers());
        boolean chunked = request.chunked();
        long announced = request.contentLength();
        if (!chunked && announced < 0) {
            if (length < 0) {
                chunked = true;
                headers.add(new Header("Transfer-Encoding", "chunked"));
            } else {
                announced = length;
                if (length > 0 || List.of("POST", "PUT", "PATCH").contains(request.method())) {
                    headers.add(new Header("Content-Length", Long.toString(length)));
                }
            }
        }
        byte[] head = new HttpRequest(request.method(), request.uri(), headers, new byte[0]).head();
        try (InputStream in = open(body)) {
            if (options.tracing()) {
                for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
                    if (!line.isEmpty()) {
                        options.trace().accept("> " + line);
                    }
                }
            }
            c.write(head, 0, head.length);
            if (body instanceof RequestBody.Bytes b && !chunked) {
                c.write(b.bytes(), 0, b.bytes().length);     // as long as announced: Request saw to it
            } else {
                copy(in, c, chunked, announced);
            }
        }
    }

    /** The body as a stream, open: a file that cannot be opened is the request's failure, before any byte is sent. */
    private static InputStream open(RequestBody body) throws RequestBodyException {
        return switch (body) {
            case RequestBody.Bytes b -> new java.io.ByteArrayInputStream(b.bytes());
            case RequestBody.FileBody f -> {
                try {
                    yield Files.newInputStream(f.path());
                } catch (IOException e) {
                    throw new RequestBodyException("cannot read the request body from " + f.path() + ": "
                            + RequestBodyException.reason(e), e);
                }
            }
            // The caller closes its stream: closing this one must not.
            case RequestBody.Stream s -> new java.io.FilterInputStream(s.in()) {
                @Override
                public void close() {
                }
            };
        };
    }

    /** Sends the body: chunked, or exactly {@code announced} bytes (fewer is the body's failure: it changed). */
    private static void copy(InputStream in, Connection c, boolean chunked, long announced) throws IOException {
        byte[] piece = new byte[16 * 1024];
        long sent = 0;
        for (int n; (n = read(in, piece, chunked ? piece.length : (int) Math.min(piece.length, announced - sent))) > 0; ) {
            if (chunked) {
                byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                c.write(size, 0, size.length);
            }
            c.write(piece, 0, n);
            if (chunked) {
                c.write(CRLF, 0, 2);
            }
            sent += n;
        }
        if (chunked) {
            c.write(LAST_CHUNK, 0, LAST_CHUNK.length);
        } else if (sent < announced) {
            throw new RequestBodyException("the request body ended after " + sent + " of the " + announced
                    + " bytes announced (Content-Length): its source changed while it was sent", null);
        }
    }

    private static int read(InputStream in, byte[] into, int length) throws RequestBodyException {
        if (length == 0) {
            return -1;
        }
        try {
            return in.read(into, 0, length);
        } catch (IOException e) {
            throw new RequestBodyException("cannot read the request body: " + RequestBodyException.reason(e), e);
        }
    }
    // end::write-request[]

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Closes every connection (idle ones with close_notify), fails the requests in flight with
     * {@link ClientClosedException}, then stops the ring. Any thread may call it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
        // Shutting a busy connection's socket down ends whatever its request waits for; the request's
        // own thread then releases the connection, so that nothing is freed under its feet.
        inUse.forEach(Connection::abort);
        loop.close();
    }

    private void ensureOpen() throws ClientClosedException {
        if (closed) {
            throw new ClientClosedException("the HttpsClient is closed");
        }
    }

    /** A reused connection the server had already closed: the request is sent again on a new one. */
    private static final class StaleConnectionException extends IOException {
    }

    private static final int IO_SIZE = 64 * 1024;
    /** How long after its response an idle connection counts as fresh: see {@link Connection#spoiledWhileIdle}. */
    private static final long FRESH_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(50);

    /** One connection with its response reader and I/O buffer. */
    private final class Connection implements ByteSource, AutoCloseable {
        final SecureConnection secure;
        final Arena arena = Arena.ofShared();     // the connection moves between the threads that use it
        /**
         * Userspace records: the channel copies between BouncyCastle's arrays and whatever segment it
         * is given, so the caller's array can be that segment, with no trip through native memory.
         * Under kTLS the bytes go to io_uring, which needs native memory ({@link #io}).
         */
        final boolean heapIo;
        /** The native I/O buffer under kTLS; null with userspace records. */
        final MemorySegment io;
        final ResponseReader reader = new ResponseReader(this, 1L << 30);
        /** The request's last piece, not yet sent: in {@link #io} under kTLS, in {@link #heldBytes} otherwise. */
        private final byte[] heldBytes;
        private int held;
        /** While idle in the pool: a poll for input, which fires if the server sends or closes. */
        EventLoop.Pending idleWatch;
        long idleSince;
        volatile long deadline;
        volatile Duration limit;
        volatile boolean reused, receivedAny;

        Connection(SecureConnection secure) {
            this.secure = secure;
            this.heapIo = secure.channel() instanceof UserspaceChannel;
            this.io = heapIo ? null : arena.allocate(IO_SIZE);
            this.heldBytes = heapIo ? new byte[IO_SIZE] : null;
        }

        Duration remaining() throws SocketTimeoutException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(null);
            }
            return Duration.ofNanos(left);
        }

        SocketTimeoutException timedOut(SocketTimeoutException cause) {
            var e = new SocketTimeoutException("operation timed out after " + limit.toMillis()
                    + " ms (" + SocketAddresses.format(secure.socket().remote()) + ")");
            e.initCause(cause);
            return e;
        }

        // tag::idle-watch[]
        /**
         * Posts a poll for input as the connection goes idle. Between exchanges the server has nothing
         * to say, so whatever it sends (bytes, close_notify, FIN, RST) would be taken for the next
         * request's response: when the poll fires, the connection is never reused. The poll costs no
         * caller a wait and wakes nobody: it goes to the kernel with the loop's next batch, and a
         * connection leased again before that is looked at then ({@link #spoiledWhileIdle}).
         *
         * @return false if it could not be posted (the connection is then not kept)
         */
        boolean watchWhileIdle() {
            try {
                idleSince = System.nanoTime();
                idleWatch = secure.socket().watchReadable();
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /**
         * Whether input came while idle: the poll fired, or the channel holds input already. Ends the
         * watch (a poll that has not fired is cancelled, without waiting).
         */
        boolean spoiledWhileIdle() {
            EventLoop.Pending watch = idleWatch;
            idleWatch = null;
            if (watch == null || watch.isDone()) {
                return true;
            }
            boolean looked = watch.submitted();
            watch.cancel();
            try {
                // A watch the loop has not handed to the kernel yet has looked at nothing. Reused within
                // 50 µs of its response (a caller sending request after request), the connection goes
                // on: the server had no time to speak, the same race any HTTP/1.1 client runs between
                // its check and its request. Idle any longer: look now.
                boolean fresh = System.nanoTime() - idleSince < FRESH_NANOS;
                return looked || fresh ? secure.channel().inputBuffered() : secure.channel().inputPending();
            } catch (IOException e) {
                return true;
            }
        }
        // end::idle-watch[]

        // tag::connection-io[]
        /**
         * Writes all but the last piece at once; the last one is held back and goes out linked with the
         * response's first receive ({@link TlsChannel#writeThenRead}), or with the next write.
         */
        void write(byte[] bytes, int offset, int length) throws IOException {
            sendHeld();
            MemorySegment source = heapIo ? MemorySegment.ofArray(bytes) : null;
            for (int at = 0; at < length; ) {
                int n = (int) Math.min(IO_SIZE, length - at);
                boolean last = at + n == length;
                if (heapIo) {
                    if (last) {
                        System.arraycopy(bytes, offset + at, heldBytes, 0, n);
                    } else {
                        secure.channel().write(source.asSlice(offset + at, n), remaining());
                    }
                } else {
                    MemorySegment.copy(bytes, offset + at, io, JAVA_BYTE, 0, n);
                    if (!last) {
                        secure.channel().write(io.asSlice(0, n), remaining());
                    }
                }
                if (last) {
                    held = n;
                }
                at += n;
            }
        }

        /** After a failed send: what was held back for the next one never goes out (the exchange has failed). */
        void abandonOutput() {
            held = 0;
        }

        private void sendHeld() throws IOException {
            if (held > 0) {
                int n = held;
                held = 0;
                secure.channel().write(heldSegment().asSlice(0, n), remaining());
            }
        }

        private MemorySegment heldSegment() {
            return heapIo ? MemorySegment.ofArray(heldBytes) : io;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            TlsChannel channel = secure.channel();
            MemorySegment target = heapIo ? MemorySegment.ofArray(into).asSlice(offset, length)
                    : io.asSlice(0, Math.min(length, IO_SIZE));
            int n;
            if (held > 0) {
                // Under kTLS the held request sits in io too: the linked send completes before the
                // receive starts writing there (IOSQE_IO_LINK), so one buffer serves both.
                MemorySegment request = heldSegment().asSlice(0, held);
                held = 0;
                n = channel.writeThenRead(request, target, remaining());
            } else {
                n = channel.read(target, remaining());
            }
            if (n > 0) {
                receivedAny = true;
                if (!heapIo) {
                    MemorySegment.copy(io, JAVA_BYTE, 0, into, offset, n);
                }
            }
            return n;
        }
        // end::connection-io[]

        @Override
        public boolean endIsAuthentic() {
            return secure.channel().closeNotifyReceived();
        }

        /** From another thread: ends the wait of whoever uses this connection, frees nothing. */
        void abort() {
            try {
                secure.socket().close();
            } catch (IOException ignored) {
                // the descriptor is released all the same
            }
        }

        @Override
        public void close() {
            try {
                secure.close();
            } catch (IOException ignored) {
                // closing: nothing left to report to
            } finally {
                arena.close();
            }
        }
    }
}
