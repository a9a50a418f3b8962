package dev.ktlsuring.client;

import dev.ktlsuring.fallback.SecureConnection;
import dev.ktlsuring.fallback.UserspaceChannel;
import dev.ktlsuring.http.ByteSource;
import dev.ktlsuring.http.Header;
import dev.ktlsuring.http.HttpProtocolException;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.http.ResponseReader;
import dev.ktlsuring.http.TruncatedResponseException;
import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.uring.IoUring;
import dev.ktlsuring.uring.SocketAddresses;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * An HTTPS/1.1 client on the whole pipeline: io_uring for every byte, the kernel for TLS records when
 * it can (userspace otherwise), keep-alive connections reused per host and port, no redirects followed.
 *
 * <p>One client owns one io_uring ring and is meant for one thread at a time; use one client per
 * thread for concurrency.
 */
public final class HttpsClient implements AutoCloseable {

    private final ClientOptions options;
    private final IoUring ring;
    private final Map<String, Connection> idle = new HashMap<>();

    private HttpsClient(ClientOptions options, IoUring ring) {
        this.options = options;
        this.ring = ring;
    }

    /** A client with its own io_uring ring. */
    public static HttpsClient create(ClientOptions options) throws IOException {
        return new HttpsClient(options, IoUring.open(16));
    }

    // tag::send[]
    /** Sends {@code request} and returns the response with its body in memory (up to 1 GiB). */
    public HttpResponse send(Request request) throws IOException {
        return send(request, head -> null);
    }

    /**
     * Sends {@code request}; once the response's header section has arrived, {@code bodySink} says
     * where the body goes (a stream, written as it arrives), or {@code null} to keep it in memory.
     */
    public HttpResponse send(Request request, Function<HttpResponse, OutputStream> bodySink) throws IOException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        String key = request.host() + ":" + request.port();
        Connection reused = idle.remove(key);
        if (reused != null && reused.spoiledWhileIdle()) {
            options.trace().accept("Kept-alive connection received data or a close while idle; connecting again");
            reused.close();
            reused = null;
        }
        if (reused != null) {
            try {
                return exchange(reused, request, bodySink, deadline, key);
            } catch (StaleConnectionException e) {
                options.trace().accept("Kept-alive connection was closed by the server; connecting again");
            }
        }
        Connection fresh = connect(request);
        try {
            return exchange(fresh, request, bodySink, deadline, key);
        } catch (StaleConnectionException e) {
            throw new TruncatedResponseException("the server closed the connection without sending a response");
        }
    }
    // end::send[]

    private Connection connect(Request request) throws IOException {
        var trace = options.trace();
        trace.accept("Connecting to " + request.host() + ":" + request.port() + " via io_uring");
        SecureConnection connection = SecureConnection.open(ring, request.host(), request.port(), options.tls(),
                options.mode(), options.connectTimeout());
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
        return new Connection(connection);
    }

    private HttpResponse exchange(Connection c, Request request, Function<HttpResponse, OutputStream> bodySink,
                                  long deadline, String key) throws IOException {
        boolean keep = false;
        try {
            c.deadline = deadline;
            c.receivedAny = false;
            writeRequest(c, request);
            HttpResponse response;
            try {
                response = c.reader.read(request.method(), head -> {
                    if (options.tracing()) {
                        options.trace().accept("< " + head.statusLine());
                        head.headers().forEach(h -> options.trace().accept("< " + h));
                    }
                    return bodySink.apply(head);
                });
            } catch (TruncatedResponseException e) {
                if (c.reused && !c.receivedAny) {
                    throw new StaleConnectionException();
                }
                throw e;
            }
            if (c.reader.buffered() > 0) {
                throw new HttpProtocolException("the server sent " + c.reader.buffered()
                        + " bytes more than the response's framing announced");
            }
            keep = c.reader.reusable();
            return response;
        } catch (SocketTimeoutException e) {
            // Every wait in an exchange is bounded by the time left to its deadline, so whichever wait
            // timed out, it is the exchange's limit that ran out: say so, not which receive it was.
            throw c.timedOut(e);
        } catch (IOException e) {
            if (c.reused && !c.receivedAny && !(e instanceof StaleConnectionException)
                    && !(e instanceof HttpProtocolException)) {
                throw new StaleConnectionException();
            }
            throw e;
        } finally {
            if (keep) {
                c.reused = true;
                Connection previous = idle.put(key, c);
                if (previous != null) {
                    previous.close();
                }
            } else {
                c.close();
            }
        }
    }

    // tag::write-request[]
    /** Request head, then the body: whole, from a file in pieces, or chunked from a stream. */
    private void writeRequest(Connection c, Request request) throws IOException {
        long length = request.body().length();
        List<Header> headers = new ArrayList<>(request.headers());
        boolean chunked = length < 0;
        if (headers.stream().noneMatch(h -> h.is("Content-Length") || h.is("Transfer-Encoding"))) {
            if (chunked) {
                headers.add(new Header("Transfer-Encoding", "chunked"));
            } else if (length > 0 || List.of("POST", "PUT", "PATCH").contains(request.method())) {
                headers.add(new Header("Content-Length", Long.toString(length)));
            }
        }
        byte[] head = new HttpRequest(request.method(), request.uri(), headers, new byte[0]).head();
        if (options.tracing()) {
            for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
                if (!line.isEmpty()) {
                    options.trace().accept("> " + line);
                }
            }
        }
        c.write(head, 0, head.length);
        switch (request.body()) {
            case RequestBody.Bytes b -> c.write(b.bytes(), 0, b.bytes().length);
            case RequestBody.FileBody f -> {
                try (InputStream in = Files.newInputStream(f.path())) {
                    copy(in, c, false);
                }
            }
            case RequestBody.Stream s -> copy(s.in(), c, true);
        }
    }

    private static void copy(InputStream in, Connection c, boolean chunked) throws IOException {
        byte[] piece = new byte[16 * 1024];
        for (int n; (n = in.read(piece)) > 0; ) {
            if (chunked) {
                byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                c.write(size, 0, size.length);
            }
            c.write(piece, 0, n);
            if (chunked) {
                c.write(CRLF, 0, 2);
            }
        }
        if (chunked) {
            c.write(LAST_CHUNK, 0, LAST_CHUNK.length);
        }
    }
    // end::write-request[]

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Closes idle connections (sending close_notify) and the ring. */
    @Override
    public void close() {
        idle.values().forEach(Connection::close);
        idle.clear();
        ring.close();
    }

    /** A reused connection the server had already closed: the request is sent again on a new one. */
    private static final class StaleConnectionException extends IOException {
    }

    private static final int IO_SIZE = 64 * 1024;

    /** One connection with its response reader and I/O buffer. */
    private final class Connection implements ByteSource, AutoCloseable {
        final SecureConnection secure;
        final Arena arena = Arena.ofConfined();
        /**
         * Userspace records: the channel copies between BouncyCastle's arrays and whatever segment it
         * is given, so the caller's array can be that segment, with no trip through native memory.
         * Under kTLS the bytes go to io_uring, which needs native memory ({@link #io}).
         */
        final boolean heapIo;
        /** The native I/O buffer under kTLS; null with userspace records. */
        final MemorySegment io;
        final ResponseReader reader = new ResponseReader(this, 1L << 30);
        long deadline;
        boolean reused, receivedAny;

        Connection(SecureConnection secure) {
            this.secure = secure;
            this.heapIo = secure.channel() instanceof UserspaceChannel;
            this.io = heapIo ? null : arena.allocate(IO_SIZE);
        }

        Duration remaining() throws SocketTimeoutException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(null);
            }
            return Duration.ofNanos(left);
        }

        SocketTimeoutException timedOut(SocketTimeoutException cause) {
            var e = new SocketTimeoutException("operation timed out after " + options.timeout().toMillis()
                    + " ms (" + SocketAddresses.format(secure.socket().remote()) + ")");
            e.initCause(cause);
            return e;
        }

        /**
         * Whether the server sent anything (bytes, close_notify, FIN, RST) since the last response was
         * complete. Between exchanges it has nothing to say, so whatever came would be taken for the
         * next request's response: a connection in that state is never reused.
         */
        boolean spoiledWhileIdle() {
            try {
                return secure.channel().inputPending();
            } catch (IOException e) {
                return true;
            }
        }

        // tag::connection-io[]
        void write(byte[] bytes, int offset, int length) throws IOException {
            MemorySegment source = heapIo ? MemorySegment.ofArray(bytes) : null;
            for (int at = 0; at < length; ) {
                int n = (int) Math.min(IO_SIZE, length - at);
                if (heapIo) {
                    secure.channel().write(source.asSlice(offset + at, n), remaining());
                } else {
                    MemorySegment.copy(bytes, offset + at, io, JAVA_BYTE, 0, n);
                    secure.channel().write(io.asSlice(0, n), remaining());
                }
                at += n;
            }
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (heapIo) {
                int n = secure.channel().read(MemorySegment.ofArray(into).asSlice(offset, length), remaining());
                receivedAny |= n > 0;
                return n;
            }
            int n = secure.channel().read(io.asSlice(0, Math.min(length, IO_SIZE)), remaining());
            if (n > 0) {
                receivedAny = true;
                MemorySegment.copy(io, JAVA_BYTE, 0, into, offset, n);
            }
            return n;
        }
        // end::connection-io[]

        @Override
        public boolean endIsAuthentic() {
            return secure.channel().closeNotifyReceived();
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
