package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.ktls.abi.tls_h;
import dev.ktlsuring.secrets.KeyExtraction;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.SystemCalls;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel really takes over: after {@link KernelTls#enable}, this side writes and reads plaintext
 * while the JDK's TLS server at the other end decrypts with its own userspace record layer and echoes
 * back. A byte off in a key, IV or sequence number and the JDK would see a bad record MAC.
 *
 * <p>Needs a kernel with kTLS: tagged {@code ktls}, run by {@code .ci/ktls-suite} (in a VM here).
 */
@Tag("ktls")
class KernelTlsTest {

    /** Generous: in the kTLS suite the guest is emulated, and a cold JVM handshakes slowly there. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final TestPki PKI = TestPki.shared();

    // tag::echo-through-the-kernel[]
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void kernelEncryptsAndDecryptsForTheJdkPeer(CipherSuite suite) throws Exception {
        var credential = PKI.leaf(suite.name().contains("_RSA_") ? TestPki.KeyType.RSA : TestPki.KeyType.EC);
        try (var server = new JdkTlsServer(credential, suite.version().toString(), suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "localhost", server.port(), TIMEOUT);
             var extracted = KeyExtraction.handshake(socket, "localhost",
                     TlsOptions.defaults().onlySuites(List.of(suite)).withTrust(PKI.trust()), TIMEOUT);
             Arena arena = Arena.ofConfined()) {

            KtlsOutcome outcome = KernelTls.enable(socket, extracted.keys());
            extracted.keys().close();

            assertThat(outcome).isEqualTo(new KtlsEnabled(suite.version(), suite.cipher()));
            if (suite.version() == TlsVersion.TLS_1_3) {
                assertThat(rxExpectsNoPadding(socket.fd())).as("TLS_RX_EXPECT_NO_PAD").isEqualTo(1);
            }
            for (int i = 0; i < 3; i++) {
                byte[] ping = ("plaintext " + i + " through the kernel's " + suite).getBytes(StandardCharsets.US_ASCII);
                socket.sendFully(arena.allocateFrom(JAVA_BYTE, ping), TIMEOUT);
                var echo = arena.allocate(ping.length);
                socket.recvFully(echo, TIMEOUT);
                assertThat(new String(echo.toArray(JAVA_BYTE), StandardCharsets.US_ASCII))
                        .isEqualTo(new String(ping, StandardCharsets.US_ASCII));
            }
            assertThat(server.failures()).isEmpty();
        }
    }
    // end::echo-through-the-kernel[]

    /** The kernel's reading of {@code TLS_RX_EXPECT_NO_PAD} on {@code fd}: 1 when set. */
    static int rxExpectsNoPadding(int fd) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            var value = arena.allocate(JAVA_INT);
            SystemCalls.getsockopt(fd, tls_h.SOL_TLS(), tls_h.TLS_RX_EXPECT_NO_PAD(), value, "TLS_RX_EXPECT_NO_PAD");
            return value.get(JAVA_INT, 0);
        }
    }
}
