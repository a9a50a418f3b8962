package dev.ktlsuring.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a request body comes from. Bytes and files have a known length (sent with
 * {@code Content-Length}); a stream of unknown length is sent with chunked transfer coding
 * (RFC 9112 §7.1), so standard input can be uploaded without buffering it.
 */
public sealed interface RequestBody {

    /** No body. */
    RequestBody EMPTY = new Bytes(new byte[0]);

    /** A body held in memory. */
    record Bytes(byte[] bytes) implements RequestBody {
    }

    /** A file, read as it is sent. */
    record FileBody(Path path) implements RequestBody {
    }

    /** A stream of unknown length, read as it is sent; the caller closes it. */
    record Stream(InputStream in) implements RequestBody {
    }

    static RequestBody of(byte[] bytes) {
        return new Bytes(bytes);
    }

    static RequestBody of(Path path) {
        return new FileBody(path);
    }

    static RequestBody of(InputStream in) {
        return new Stream(in);
    }

    /** The body's length in bytes, or -1 when unknown. */
    default long length() throws IOException {
        return switch (this) {
            case Bytes b -> b.bytes().length;
            case FileBody f -> Files.size(f.path());
            case Stream s -> -1;
        };
    }
}
