package dev.ktlsuring.http;

import dev.ktlsuring.io.TlsChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * HTTP/1.1 exchanges over one {@link TlsChannel}: write a request, read its response, and tell
 * whether the connection can carry the next one (keep-alive).
 */
public final class Http1Connection implements AutoCloseable {

    /** Largest response body kept in memory. */
    public static final long DEFAULT_MAX_BODY = 1L << 30;

    private final TlsChannel channel;
    private final Duration timeout;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment io = arena.allocate(16 * 1024);
    private final ResponseReader reader;

    public Http1Connection(TlsChannel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
        this.reader = new ResponseReader(new ChannelSource(), DEFAULT_MAX_BODY);
    }

    // tag::exchange[]
    /**
     * Sends {@code request} and reads its whole response. Bytes beyond the response's framing are
     * dropped, and the connection is then not reused (RFC 9112 §6.3).
     */
    public HttpResponse send(HttpRequest request) throws IOException {
        write(request.head());
        write(request.body());
        boolean upgrade = request.headers().stream().anyMatch(h -> h.is("Upgrade"));
        HttpResponse response = reader.read(request.method(), new ResponseReader.Heads() {
            @Override
            public OutputStream bodySink(HttpResponse head) {
                return null;
            }

            @Override
            public boolean upgradeRequested() {
                return upgrade;
            }
        });
        reader.discardExcess();
        return response;
    }
    // end::exchange[]

    /** Whether the last exchange left the connection open for another request. */
    public boolean reusable() {
        return reader.reusable();
    }

    /** The channel's record-protection path, for reporting. */
    public String describe() {
        return channel.describe();
    }

    private void write(byte[] bytes) throws IOException {
        for (int at = 0; at < bytes.length; ) {
            int n = (int) Math.min(io.byteSize(), bytes.length - at);
            MemorySegment.copy(bytes, at, io, JAVA_BYTE, 0, n);
            channel.write(io.asSlice(0, n), timeout);
            at += n;
        }
    }

    /** Sends close_notify and releases the buffers. */
    @Override
    public void close() {
        try {
            channel.close();
        } finally {
            arena.close();
        }
    }

    /** The channel as a byte source: native reads, copied into the reader's heap buffer. */
    private final class ChannelSource implements ByteSource {
        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            MemorySegment target = io.asSlice(0, Math.min(length, io.byteSize()));
            int n = channel.read(target, timeout);
            if (n > 0) {
                MemorySegment.copy(io, JAVA_BYTE, 0, into, offset, n);
            }
            return n;
        }

        @Override
        public boolean endIsAuthentic() {
            return channel.closeNotifyReceived();
        }
    }
}
