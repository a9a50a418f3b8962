package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.uring.EventLoop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ktlsuring.fallback.FallbackTest.TIMEOUT;
import static dev.ktlsuring.fallback.FallbackTest.options;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/** What the userspace channel reports as input nobody asked for yet, wherever it waits. */
class UserspaceChannelTest {

    static final TestPki PKI = TestPki.shared();

    /**
     * Two records sent back to back reach the client together, so reading ahead takes the second from
     * the socket with the first: it is then neither on the socket nor in BouncyCastle, yet pending.
     */
    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
    void aRecordReadAheadIsPendingInput(CipherSuite suite) throws Exception {
        var sent = new CountDownLatch(1);
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), suite.version().toString(), suite.name(),
                socket -> {
                    socket.getOutputStream().write("first".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    socket.getOutputStream().write("second".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    sent.countDown();
                    socket.getInputStream().read();       // until the client goes
                });
             var loop = EventLoop.start("test", 8);
             var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite),
                     TlsMode.USERSPACE, TIMEOUT);
             var arena = Arena.ofConfined()) {
            assertThat(sent.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300);                                 // both records are in this socket now
            var channel = connection.channel();
            var buffer = arena.allocate(64);

            int n = channel.read(buffer, TIMEOUT);

            assertThat(new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII)).isEqualTo("first");
            assertThat(connection.socket().readableNow()).as("the socket, drained by reading ahead").isFalse();
            assertThat(channel.inputPending()).as("the second record, read ahead").isTrue();
            n = channel.read(buffer, TIMEOUT);
            assertThat(new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII)).isEqualTo("second");
            assertThat(channel.inputPending()).as("nothing left").isFalse();
        }
    }
}
