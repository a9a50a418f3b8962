package dev.ktlsuring.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo on a kernel with kTLS reports the kernel path (run by {@code .ci/ktls-suite}). */
@Tag("ktls")
class DemoKtlsTest {

    @Test
    void demoUsesKtls() {
        MainTest.Run r = MainTest.run("--tls-mode", "ktls");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("Using kTLS (kernel TLS) + io_uring: kTLS TX+RX (TLSv1.3 AES_256_GCM)");
        assertThat(r.out()).contains("{\"method\":\"DELETE\",\"received\":0,\"body\":\"\"}");
        System.out.println(r.out());
    }
}
