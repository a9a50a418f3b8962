package dev.ktlsuring.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a request body comes from. Bytes and regular files have a known length (sent with
 * {@code Content-Length}); a stream, or a file whose size the file system does not tell (a pipe,
 * {@code /dev/stdin}, most of {@code /proc}), is sent with chunked transfer coding (RFC 9112 §7.1), so
 * standard input can be uploaded without buffering it.
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

    /**
     * The body's length in bytes, or -1 when unknown: a stream, a file that is not a regular file, or
     * one whose size reads 0 (procfs and sysfs say 0 for files that have content).
     */
    default long length() throws IOException {
        return switch (this) {
            case Bytes b -> b.bytes().length;
            case FileBody f -> {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(f.path(), BasicFileAttributes.class);
                } catch (IOException e) {
                    throw new RequestBodyException("cannot read the request body from " + f.path() + ": "
                            + RequestBodyException.reason(e), e);
                }
                yield attributes.isRegularFile() && attributes.size() > 0 ? attributes.size() : -1;
            }
            case Stream s -> -1;
        };
    }

    /** Whether the body can be sent again, the same: not a stream, nor a file such as a pipe that reads only once. */
    default boolean replayable() {
        return switch (this) {
            case Bytes b -> true;
            case FileBody f -> Files.isRegularFile(f.path());
            case Stream s -> false;
        };
    }
}
