package dev.ktlsuring.handshake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * Application data through BouncyCastle's record layer, for tests that prove a session works before
 * the kernel is involved.
 */
public final class UserspaceRecords {

    private UserspaceRecords() {
    }

    /** Encrypts and sends {@code data}. */
    public static void write(TlsSession session, byte[] data, Duration timeout) throws IOException {
        session.protocol().writeApplicationData(data, 0, data.length);
        session.transport().flush(session.protocol(), timeout);
    }

    /** Reads and decrypts until {@code atLeast} bytes of application data arrived or the stream ends. */
    public static byte[] read(TlsSession session, int atLeast, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[16384];
        while (out.size() < atLeast) {
            int available = session.protocol().getAvailableInputBytes();
            if (available > 0) {
                int n = session.protocol().readInput(chunk, 0, Math.min(available, chunk.length));
                out.write(chunk, 0, n);
                continue;
            }
            if (session.protocol().isClosed()) {
                break;
            }
            int length = session.transport().readRecord(timeout);
            if (length < 0) {
                break;
            }
            session.protocol().offerInput(session.transport().buffer(), 0, length);
            session.transport().flush(session.protocol(), timeout);   // e.g. a close_notify reply
        }
        return out.toByteArray();
    }
}
