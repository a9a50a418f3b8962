package dev.ktlsuring.handshake;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import javax.net.ssl.SSLProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Coverage-guided fuzz tests (Jazzer) of the TLS record framing that runs before any cryptography:
 * {@link RecordHeader#parse} on arbitrary bytes, and {@link RecordTransport#readRecord} on arbitrary
 * byte streams sent by a real peer over loopback and read through io_uring.
 *
 * <p>The invariants: a header is either plausible (known content type, version 3.x, length at most
 * {@link RecordHeader#MAX_FRAGMENT}) or an {@link SSLProtocolException}; the transport returns whole
 * records exactly as sent, in order, never more bytes than were sent, and fails only with
 * {@link SSLProtocolException} where the next header sent is one the parser refuses, or with
 * {@link EOFException} where the stream ends inside a record.
 *
 * <p>In a plain {@code ./mvnw test} (no {@code JAZZER_FUZZ}) each target runs once per seed in
 * {@code src/test/resources/dev/ktlsuring/handshake/RecordFramingFuzzTestInputs/<method>/} (Jazzer's
 * regression mode). To fuzz one target, which also writes any crashing input to that directory so that
 * every later test run replays it:
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -pl step02-handshake test -Dtest=RecordFramingFuzzTest#recordHeader -Djazzer.max_duration=10m
 * JAZZER_FUZZ=1 ./mvnw -pl step02-handshake test -Dtest=RecordFramingFuzzTest#recordTransport -Djazzer.max_duration=10m
 * </pre>
 */
class RecordFramingFuzzTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Small enough that the peer's write always fits in the loopback socket buffers, so nothing blocks. */
    private static final int MAX_STREAM = 48 * 1024;

    private static ServerSocket listener;
    private static EventLoop loop;

    @BeforeAll
    static void open() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        loop = EventLoop.start("fuzz", 8);
    }

    @AfterAll
    static void close() throws IOException {
        loop.close();
        listener.close();
    }

    /** Any 5 bytes: a plausible header with the length the bytes say, or {@link SSLProtocolException}. */
    @FuzzTest
    void recordHeader(byte[] input) {
        if (input.length < RecordHeader.SIZE) {
            return;
        }
        RecordHeader header;
        try {
            header = RecordHeader.parse(input, 0);
        } catch (SSLProtocolException e) {
            assertThat(e.getMessage()).matches("not a TLS record: .*|record_overflow: .*");
            return;
        }
        assertThat(header.contentType()).isBetween(RecordHeader.CHANGE_CIPHER_SPEC, RecordHeader.APPLICATION_DATA);
        assertThat(header.version() >> 8).isEqualTo(3);
        assertThat(header.length()).isEqualTo(((input[3] & 0xFF) << 8) | (input[4] & 0xFF))
                .isLessThanOrEqualTo(RecordHeader.MAX_FRAGMENT);
    }

    /**
     * The peer sends {@code input} and closes; the client reads records until the end: each one is
     * exactly the next header and fragment of what was sent, and a clean end comes only after all of it.
     */
    @FuzzTest
    void recordTransport(byte[] input) throws IOException {
        byte[] sent = input.length > MAX_STREAM ? Arrays.copyOf(input, MAX_STREAM) : input;
        try (var socket = UringSocket.connect(loop, (InetSocketAddress) listener.getLocalSocketAddress(), TIMEOUT);
             var transport = new RecordTransport(socket)) {
            try (Socket peer = listener.accept(); OutputStream out = peer.getOutputStream()) {
                out.write(sent);
            }
            int at = 0;
            while (true) {
                int length;
                try {
                    length = transport.readRecord(TIMEOUT);
                } catch (SSLProtocolException e) {
                    // Only where the next five bytes sent are a header the parser refuses, for the same reason.
                    assertThat(sent.length - at).as("a whole header to refuse").isGreaterThanOrEqualTo(RecordHeader.SIZE);
                    int header = at;
                    assertThatThrownBy(() -> RecordHeader.parse(sent, header))
                            .isInstanceOf(SSLProtocolException.class).hasMessage(e.getMessage());
                    break;
                } catch (EOFException e) {
                    // Only where what is left of the stream is less than the record it starts.
                    int left = sent.length - at;
                    assertThat(left).as("the stream ended inside a record, not between two").isPositive();
                    if (left >= RecordHeader.SIZE) {
                        assertThat(RecordHeader.SIZE + RecordHeader.parse(sent, at).length())
                                .as("the record announced is longer than what was left").isGreaterThan(left);
                    }
                    break;
                }
                if (length < 0) {
                    assertThat(at).as("clean end only after everything sent").isEqualTo(sent.length);
                    break;
                }
                assertThat(length).isEqualTo(RecordHeader.SIZE + transport.lastHeader().length());
                assertThat(at + length).as("never more than was sent").isLessThanOrEqualTo(sent.length);
                assertThat(Arrays.copyOf(transport.buffer(), length)).isEqualTo(Arrays.copyOfRange(sent, at, at + length));
                at += length;
            }
        }
    }
}
