package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.RecordHeader;
import dev.ktlsuring.uring.UringSocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.GeneralSecurityException;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A userspace record layer for tests: whole TLS records over a {@link UringSocket}, protected by
 * {@link RecordCipher} with extracted keys, each direction counting its own sequence numbers.
 *
 * <p>It starts each direction at the extracted {@link TrafficKeys#sequenceNumber()} and adds one per
 * record, exactly as the kernel would after the hand-off; so a conversation that works through this
 * class proves the extracted state byte-exact. Either direction can be driven alone, e.g. to read
 * what a kernel-encrypted transmit path produced.
 */
public final class RecordChannel {

    private final UringSocket socket;
    private final SessionKeys keys;
    private final Duration timeout;
    private long writeSeq;
    private long readSeq;

    /** Continues both directions of {@code keys} on {@code socket}. */
    public RecordChannel(UringSocket socket, SessionKeys keys, Duration timeout) {
        this.socket = socket;
        this.keys = keys;
        this.timeout = timeout;
        this.writeSeq = keys.transmit().sequenceNumber();
        this.readSeq = keys.receive().sequenceNumber();
    }

    /** Seals {@code content} as one record of {@code contentType} and sends it. */
    public void write(int contentType, byte[] content) throws IOException, GeneralSecurityException {
        byte[] record = RecordCipher.seal(keys.transmit(), writeSeq, contentType, content);
        try (Arena arena = Arena.ofConfined()) {
            socket.sendFully(arena.allocateFrom(JAVA_BYTE, record), timeout);
        }
        writeSeq++;
    }

    /** Sends a close_notify alert (warning level 1, description 0; RFC 8446 §6.1). */
    public void writeCloseNotify() throws IOException, GeneralSecurityException {
        write(RecordHeader.ALERT, new byte[]{1, 0});
    }

    /**
     * Reads and opens the next record.
     *
     * @return the record's content, or {@code null} if the peer closed the stream between records
     * @throws javax.crypto.AEADBadTagException if the record does not authenticate under the expected
     *                                          key, IV and sequence number
     */
    public RecordCipher.Opened read() throws IOException, GeneralSecurityException {
        byte[] record = receiveRecord(socket, timeout);
        if (record == null) {
            return null;
        }
        RecordCipher.Opened opened = RecordCipher.open(keys.receive(), readSeq, record);
        readSeq++;
        return opened;
    }

    /**
     * Collects application data until {@code atLeast} bytes arrived, a close_notify, or the end of the
     * stream. TLS 1.3 post-handshake messages (NewSessionTicket) are skipped, but they count: each
     * record consumes a sequence number. Other alerts than close_notify (e.g. the JDK's
     * {@code user_canceled} warning) are skipped too, a fatal one is an error.
     */
    public byte[] readApplicationData(int atLeast) throws IOException, GeneralSecurityException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (data.size() < atLeast) {
            RecordCipher.Opened record = read();
            if (record == null || record.isCloseNotify()) {
                break;
            }
            switch (record.contentType()) {
                case RecordHeader.APPLICATION_DATA -> data.writeBytes(record.content());
                case RecordHeader.HANDSHAKE -> { }
                case RecordHeader.ALERT -> {
                    if (record.content()[0] == 2) {
                        throw new IOException("fatal alert " + (record.content()[1] & 0xFF) + " from the peer");
                    }
                }
                default -> throw new IOException("unexpected record type " + record.contentType());
            }
        }
        return data.toByteArray();
    }

    /** The sequence number the next record written will use. */
    public long writeSequence() {
        return writeSeq;
    }

    /** The sequence number the next record read must have been sealed with. */
    public long readSequence() {
        return readSeq;
    }

    /**
     * Reads exactly one record, header and fragment, from {@code socket}.
     *
     * @return the record, or {@code null} if the stream ended cleanly before a new record
     * @throws java.io.EOFException if the stream ended inside a record
     */
    public static byte[] receiveRecord(UringSocket socket, Duration timeout) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(RecordHeader.SIZE);
            int first = socket.recv(header, timeout);
            if (first == 0) {
                return null;
            }
            socket.recvFully(header.asSlice(first), timeout);
            byte[] headerBytes = header.toArray(JAVA_BYTE);
            int length = RecordHeader.parse(headerBytes, 0).length();
            MemorySegment fragment = arena.allocate(length);
            socket.recvFully(fragment, timeout);
            byte[] record = new byte[RecordHeader.SIZE + length];
            System.arraycopy(headerBytes, 0, record, 0, RecordHeader.SIZE);
            MemorySegment.copy(fragment, JAVA_BYTE, 0, record, RecordHeader.SIZE, length);
            return record;
        }
    }
}
