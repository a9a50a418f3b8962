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
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcome always tells the truth about this kernel: enabled exactly when the {@code tls} ULP is
 * there, otherwise a fallback whose reason says what to do. Runs on every host (without kTLS it
 * checks the fallback path; the {@code ktls} suite checks the enabled path for every cipher).
 */
class KernelTlsOutcomeTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final TestPki PKI = TestPki.shared();

    @Test
    void outcomeMatchesWhetherThisKernelHasTheTlsUlp() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", suite.name(), JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var extracted = KeyExtraction.handshake(socket, "127.0.0.1",
                     TlsOptions.defaults().onlySuites(List.of(suite)).withTrust(PKI.trust()), TIMEOUT)) {

            KtlsOutcome outcome = KernelTls.enable(socket, extracted.keys());

            switch (outcome) {
                case KtlsEnabled enabled -> {
                    assertThat(KernelTls.ulpAvailable()).as("enabled, so the ULP must be loaded").isTrue();
                    assertThat(enabled.describe()).isEqualTo("kTLS TX+RX (TLSv1.3 AES_128_GCM)");
                }
                case Fallback fallback -> {
                    assertThat(KernelTls.ulpAvailable()).as("fell back, so the ULP must be missing").isFalse();
                    assertThat(fallback.reason()).isEqualTo(KernelTls.NO_ULP);
                    assertThat(fallback.describe()).isEqualTo("userspace TLS (fallback: " + KernelTls.NO_ULP + ")");
                }
            }
        }
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
