package dev.ktlsuring.handshake;

import dev.ktlsuring.uring.UringSocket;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.bouncycastle.tls.TlsProtocol;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Moves TLS records between BouncyCastle and an io_uring socket, one whole record at a time.
 *
 * <p>BouncyCastle's non-blocking API never touches the network: {@code offerInput} takes ciphertext
 * we received and {@code readOutput} hands us ciphertext to send. The bytes cross through one native
 * buffer (io_uring needs memory with a stable address) and one heap array (BouncyCastle works on
 * {@code byte[]}), both sized for the largest legal record.
 */
public final class RecordTransport implements AutoCloseable {

    private static final int CAPACITY = RecordHeader.SIZE + RecordHeader.MAX_FRAGMENT;
    /** How much one receive may take once reading ahead is allowed: several full-size records. */
    private static final int READ_AHEAD = 64 * 1024;

    private final UringSocket socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment wire = arena.allocate(CAPACITY);
    private final byte[] heap = new byte[CAPACITY];
    private RecordHeader lastHeader;
    /** Received but not yet framed bytes, {@code [inboxStart, inboxEnd)}; null until read-ahead is allowed. */
    private MemorySegment inbox;
    private int inboxStart, inboxEnd;
    /** Records in {@link #wire} waiting to go out linked with the next read-ahead receive. */
    private int held;

    public RecordTransport(UringSocket socket) {
        this.socket = socket;
    }

    // tag::read-record[]
    /**
     * Reads exactly one record (header and fragment) into {@link #buffer()}.
     *
     * @return the record's total length, or -1 if the stream ended cleanly before a new record
     * @throws EOFException if the stream ended inside a record
     */
    public int readRecord(Duration timeout) throws IOException {
        if (inbox != null) {
            return readRecordAhead(timeout);
        }
        MemorySegment header = wire.asSlice(0, RecordHeader.SIZE);
        int first = socket.recv(header, timeout);
        if (first == 0) {
            return -1;
        }
        if (first < RecordHeader.SIZE) {
            socket.recvFully(header.asSlice(first), timeout);
        }
        MemorySegment.copy(wire, JAVA_BYTE, 0, heap, 0, RecordHeader.SIZE);
        lastHeader = RecordHeader.parse(heap, 0);
        // Exactly the fragment and no more: bytes beyond this record belong to whoever reads next,
        // which after the handshake may be the kernel.
        socket.recvFully(wire.asSlice(RecordHeader.SIZE, lastHeader.length()), timeout);
        MemorySegment.copy(wire, JAVA_BYTE, RecordHeader.SIZE, heap, RecordHeader.SIZE, lastHeader.length());
        return RecordHeader.SIZE + lastHeader.length();
    }
    // end::read-record[]

    // tag::read-ahead[]
    /**
     * Lets {@link #readRecord} receive whatever the socket has, up to 64 KiB, and keep what follows the
     * record for the next calls: one io_uring receive for several records instead of two per record.
     * Only once userspace keeps the record layer for good (step 6): bytes read ahead could never be
     * handed to the kernel.
     */
    public void allowReadAhead() {
        if (inbox == null) {
            inbox = arena.allocate(READ_AHEAD + CAPACITY);
        }
    }

    /**
     * Bytes received from the socket but not yet returned as records: read ahead, so neither the
     * socket nor the TLS engine shows them (always 0 without read-ahead).
     */
    public int buffered() {
        return inboxEnd - inboxStart;
    }

    private int readRecordAhead(Duration timeout) throws IOException {
        if (!buffer(RecordHeader.SIZE, timeout)) {
            return -1;
        }
        MemorySegment.copy(inbox, JAVA_BYTE, inboxStart, heap, 0, RecordHeader.SIZE);
        lastHeader = RecordHeader.parse(heap, 0);
        int total = RecordHeader.SIZE + lastHeader.length();
        buffer(total, timeout);
        MemorySegment.copy(inbox, JAVA_BYTE, inboxStart + RecordHeader.SIZE, heap, RecordHeader.SIZE, lastHeader.length());
        inboxStart += total;
        return total;
    }

    /**
     * Makes at least {@code needed} bytes available in the inbox; false if the stream ended cleanly
     * with none buffered.
     *
     * @throws EOFException if the stream ended inside a record
     */
    private boolean buffer(int needed, Duration timeout) throws IOException {
        while (inboxEnd - inboxStart < needed) {
            // Move the partial record to the front, so that each receive has READ_AHEAD bytes of room.
            int kept = inboxEnd - inboxStart;
            if (inboxStart > 0) {
                MemorySegment.copy(inbox, inboxStart, inbox, 0, kept);
                inboxStart = 0;
                inboxEnd = kept;
            }
            MemorySegment room = inbox.asSlice(inboxEnd, inbox.byteSize() - inboxEnd);
            int n;
            if (held > 0) {
                // The request's records and the receive for the response in one linked submission.
                MemorySegment records = wire.asSlice(0, held);
                held = 0;
                n = socket.checked("recv", socket.sendThen(records, "recv", timeout,
                        (entry, fd) -> entry.recv(fd, room, 0)), timeout);
            } else {
                n = socket.recv(room, timeout);
            }
            if (n == 0) {
                if (kept == 0) {
                    return false;
                }
                throw new EOFException("recv: connection closed after " + kept + " of " + needed
                        + " bytes of a TLS record (" + dev.ktlsuring.uring.SocketAddresses.format(socket.remote()) + ")");
            }
            inboxEnd += n;
        }
        return true;
    }
    // end::read-ahead[]

    // tag::flush[]
    /** Sends everything BouncyCastle has queued for the network. */
    public void flush(TlsProtocol protocol, Duration timeout) throws IOException {
        flush(protocol, false, timeout);
    }

    /**
     * Like {@link #flush}, but holds back the last piece (up to one record's worth) to go out linked
     * with the next receive of read-ahead mode; {@link #flushHeld} sends it if no receive comes.
     */
    public void flushWithNextReceive(TlsProtocol protocol, Duration timeout) throws IOException {
        flush(protocol, inbox != null, timeout);
    }

    private void flush(TlsProtocol protocol, boolean holdLast, Duration timeout) throws IOException {
        flushHeld(timeout);
        int available;
        while ((available = protocol.getAvailableOutputBytes()) > 0) {
            int n = protocol.readOutput(heap, 0, Math.min(available, CAPACITY));
            MemorySegment.copy(heap, 0, wire, JAVA_BYTE, 0, n);
            if (holdLast && protocol.getAvailableOutputBytes() == 0) {
                held = n;
            } else {
                socket.sendFully(wire.asSlice(0, n), timeout);
            }
        }
    }
    // end::flush[]

    /**
     * Drops everything waiting to be sent, held back or still queued in BouncyCastle: after a failed
     * send, when the peer takes no more but what it sent may still be read.
     */
    public void discardOutput(TlsProtocol protocol) {
        held = 0;
        for (int available; (available = protocol.getAvailableOutputBytes()) > 0; ) {
            protocol.readOutput(heap, 0, Math.min(available, CAPACITY));
        }
    }

    /** Forgets what {@link #flushWithNextReceive} held back: the exchange it belonged to has failed. */
    public void discardHeld() {
        held = 0;
    }

    /** Sends what {@link #flushWithNextReceive} held back, if it is still there. */
    public void flushHeld(Duration timeout) throws IOException {
        if (held > 0) {
            int n = held;
            held = 0;
            socket.sendFully(wire.asSlice(0, n), timeout);
        }
    }

    /** The heap copy of the last record read. */
    public byte[] buffer() {
        return heap;
    }

    /** The header of the last record read. */
    public RecordHeader lastHeader() {
        return lastHeader;
    }

    /** The socket underneath. */
    public UringSocket socket() {
        return socket;
    }

    /** Releases the buffers; closing twice is harmless. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
