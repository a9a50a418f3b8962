package dev.ktlsuring.http;

import java.io.IOException;

/** Where a response's bytes come from: a TLS channel in the client, a byte array in tests and fuzzing. */
public interface ByteSource {

    /** Reads up to {@code length} bytes into {@code into} at {@code offset}; -1 at the end of the stream. */
    int read(byte[] into, int offset, int length) throws IOException;

    /** After -1: whether the end was authenticated (TLS close_notify), not just a TCP close. */
    boolean endIsAuthentic();
}
