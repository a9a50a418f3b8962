package dev.ktlsuring.cli;

import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.io.JdkHttpsServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MainTest}'s kernel-dependent cases on a kernel with kTLS (run by {@code .ci/ktls-suite}). */
@Tag("ktls")
class MainKtlsTest {

    @Test
    void demoSaysItUsesKtls() {
        MainTest.Run r = MainTest.run();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("Using kTLS (kernel TLS) + io_uring: kTLS TX+RX (TLSv1.3 ")
                .doesNotContain("userspace TLS");
    }

    @Test
    void ktlsModeUsesTheKernel(@TempDir Path dir) throws Exception {
        try (var server = new JdkHttpsServer(TestPki.shared().leaf(TestPki.KeyType.EC))) {
            MainTest.Run r = MainTest.run("-v", "--tls-mode", "ktls", "--cacert", MainTest.caFile(dir).toString(),
                    "https://localhost:" + server.port() + "/echo");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("GET ");
            assertThat(r.err()).contains("* Using kTLS (kernel TLS) + io_uring: kTLS TX+RX (TLSv1.3 ");
        }
    }
}
