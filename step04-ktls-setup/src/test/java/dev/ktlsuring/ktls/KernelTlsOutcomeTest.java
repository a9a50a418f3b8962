package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.secrets.KeyExtraction;
import dev.ktlsuring.uring.Errno;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcome always tells the truth about this kernel: enabled exactly when the {@code tls} ULP is
 * there, otherwise a fallback whose reason says what to do. Each side has its own test: the fallback
 * one runs on a host without kTLS (as the build machines are), the enabled one in the {@code ktls}
 * suite ({@code .ci/ktls-suite}), so that each branch is checked where it can happen.
 */
class KernelTlsOutcomeTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final TestPki PKI = TestPki.shared();

    /** What {@link KernelTls#enable} says for a TLS 1.3 AES-128-GCM connection to the JDK's server. */
    static KtlsOutcome outcomeOfATls13Connection() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var extracted = KeyExtraction.handshake(socket, "127.0.0.1",
                     TlsOptions.defaults().onlySuites(List.of(suite)).withTrust(PKI.trust()), TIMEOUT)) {
            return KernelTls.enable(socket, extracted.keys());
        }
    }

    /** Where the kernel has kTLS this side cannot happen: {@link #enabledWhereTheKernelHasTheTlsUlp} is the test there. */
    @Test
    @DisabledIf(value = "dev.ktlsuring.ktls.KernelTls#ulpAvailable",
            disabledReason = "this kernel has the tls ULP: the ktls-tagged enabledWhereTheKernelHasTheTlsUlp covers it")
    void fallsBackSayingWhyWhereTheKernelHasNoTlsUlp() throws Exception {
        KtlsOutcome outcome = outcomeOfATls13Connection();

        assertThat(KernelTls.ulpAvailable()).isFalse();
        assertThat(outcome).isEqualTo(new Fallback(KernelTls.NO_ULP));
        assertThat(outcome.describe()).isEqualTo("userspace TLS (fallback: " + KernelTls.NO_ULP + ")");
    }

    @Test
    @Tag("ktls")
    void enabledWhereTheKernelHasTheTlsUlp() throws Exception {
        KtlsOutcome outcome = outcomeOfATls13Connection();

        assertThat(KernelTls.ulpAvailable()).isTrue();
        assertThat(outcome).isEqualTo(new KtlsEnabled(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM));
        assertThat(outcome.describe()).isEqualTo("kTLS TX+RX (TLSv1.3 AES_128_GCM)");
    }

    @Test
    void refusalsAreExplainedInWordsAUserCanActOn() {
        assertThat(KernelTls.ulpRefused(Errno.ENOENT.number())).isEqualTo(
                "kernel has no TLS ULP: load the tls module (modprobe tls) or use a kernel with CONFIG_TLS");
        assertThat(KernelTls.ulpRefused(Errno.EEXIST.number())).contains("EEXIST", "already attached");
        assertThat(KernelTls.ulpRefused(Errno.EPERM.number())).isEqualTo("setsockopt TCP_ULP tls: EPERM");

        try (var keys = new dev.ktlsuring.secrets.TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.CHACHA20_POLY1305,
                new byte[32], new byte[12], 0)) {
            assertThat(KernelTls.keysRefused("TLS_RX", Errno.EINVAL.number(), keys)).isEqualTo(
                    "setsockopt SOL_TLS TLS_RX TLSv1.3 CHACHA20_POLY1305: EINVAL (this kernel does not support "
                            + "TLSv1.3 with CHACHA20_POLY1305; it needs Linux 5.11)");
            assertThat(KernelTls.keysRefused("TLS_TX", Errno.ENOMEM.number(), keys))
                    .isEqualTo("setsockopt SOL_TLS TLS_TX TLSv1.3 CHACHA20_POLY1305: ENOMEM");
        }
        assertThat(KernelTls.minimumKernel("TLS_RX", TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM)).isEqualTo("4.17");
        assertThat(KernelTls.minimumKernel("TLS_TX", TlsVersion.TLS_1_2, BulkCipher.AES_128_GCM)).isEqualTo("4.13");
        assertThat(KernelTls.minimumKernel("TLS_TX", TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM)).isEqualTo("5.1");
    }
}
