package dev.ktlsuring.handshake;

import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Record framing over a plain TCP stream (no TLS needed to frame): the same records, the same end of
 * stream and the same error for a record cut short, whether records are received exactly or read ahead.
 */
class RecordTransportTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    static byte[] record(int type, int length, int fill) {
        byte[] r = new byte[RecordHeader.SIZE + length];
        r[0] = (byte) type;
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (length >> 8);
        r[4] = (byte) length;
        Arrays.fill(r, RecordHeader.SIZE, r.length, (byte) fill);
        return r;
    }

    /** A server that writes {@code bytes} (in pieces of {@code piece} bytes) and closes. */
    static CompletableFuture<Void> serve(ServerSocket listener, byte[] bytes, int piece) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept(); OutputStream out = s.getOutputStream()) {
                for (int at = 0; at < bytes.length; at += piece) {
                    out.write(bytes, at, Math.min(piece, bytes.length - at));
                    out.flush();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wholeRecordsThenCleanEnd(boolean readAhead) throws Exception {
        var stream = new ByteArrayOutputStream();
        int[] lengths = {1, 16384 + 256, 5, 16384, 300, 0, 70000 % 16384};
        for (int i = 0; i < lengths.length; i++) {
            stream.write(record(RecordHeader.APPLICATION_DATA, lengths[i], i + 1));
        }
        for (int piece : new int[] {stream.size(), 7, 4099}) {
            try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 var loop = EventLoop.start("test", 8);
                 var socket = UringSocket.connect(loop, "127.0.0.1", listener.getLocalPort(), TIMEOUT);
                 var transport = new RecordTransport(socket)) {
                var server = serve(listener, stream.toByteArray(), piece);
                if (readAhead) {
                    transport.allowReadAhead();
                }
                for (int i = 0; i < lengths.length; i++) {
                    int n = transport.readRecord(TIMEOUT);
                    assertThat(n).as("record %d, pieces of %d", i, piece).isEqualTo(RecordHeader.SIZE + lengths[i]);
                    assertThat(transport.lastHeader().length()).isEqualTo(lengths[i]);
                    byte[] expected = record(RecordHeader.APPLICATION_DATA, lengths[i], i + 1);
                    assertThat(Arrays.copyOf(transport.buffer(), n)).isEqualTo(expected);
                }
                assertThat(transport.readRecord(TIMEOUT)).isEqualTo(-1);
                server.join();
            }
        }
    }

    /** Records read ahead are counted until they are framed: only the transport knows of them. */
    @Test
    void recordsReadAheadAreCountedAsBuffered() throws Exception {
        byte[] first = record(RecordHeader.APPLICATION_DATA, 100, 1), second = record(RecordHeader.HANDSHAKE, 40, 2);
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", listener.getLocalPort(), TIMEOUT);
             var transport = new RecordTransport(socket)) {
            serve(listener, both, both.length).join();   // both records wait in this socket
            transport.allowReadAhead();
            assertThat(transport.buffered()).isZero();
            assertThat(transport.readRecord(TIMEOUT)).isEqualTo(first.length);
            assertThat(transport.buffered()).as("the second record, received with the first").isEqualTo(second.length);
            assertThat(transport.readRecord(TIMEOUT)).isEqualTo(second.length);
            assertThat(transport.buffered()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRecordCutShortIsAnEofException(boolean readAhead) throws Exception {
        byte[] whole = record(RecordHeader.APPLICATION_DATA, 100, 1);
        byte[] cut = Arrays.copyOf(record(RecordHeader.APPLICATION_DATA, 1000, 2), 400);
        byte[] bytes = Arrays.copyOf(whole, whole.length + cut.length);
        System.arraycopy(cut, 0, bytes, whole.length, cut.length);
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", listener.getLocalPort(), TIMEOUT);
             var transport = new RecordTransport(socket)) {
            var server = serve(listener, bytes, bytes.length);
            if (readAhead) {
                transport.allowReadAhead();
            }
            assertThat(transport.readRecord(TIMEOUT)).isEqualTo(whole.length);
            assertThatThrownBy(() -> transport.readRecord(TIMEOUT)).isInstanceOf(EOFException.class)
                    .hasMessageContaining("connection closed after");
            server.join();
        }
    }
}
