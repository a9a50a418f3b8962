package dev.ktlsuring.ktls;

import dev.ktlsuring.uring.AbiConformance;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed jextract bindings of {@code linux/tls.h} against gcc's reading of this machine's headers. */
class KtlsAbiTest {

    @Test
    void everyLayoutAndConstantMatchesTheCHeaders() throws Exception {
        List<AbiConformance.Comparison> comparisons = AbiConformance.compare("dev.ktlsuring.ktls.abi",
                List.of("sys/socket.h", "netinet/in.h", "netinet/tcp.h", "linux/tls.h"));

        assertThat(comparisons).extracting(AbiConformance.Comparison::what)
                .contains("sizeof struct tls12_crypto_info_aes_gcm_128",
                        "sizeof struct tls12_crypto_info_aes_gcm_256",
                        "sizeof struct tls12_crypto_info_chacha20_poly1305",
                        "offsetof struct tls12_crypto_info_aes_gcm_256.rec_seq",
                        "SOL_TLS", "TCP_ULP", "TLS_TX", "TLS_RX", "TLS_RX_EXPECT_NO_PAD", "TLS_GET_RECORD_TYPE",
                        "TLS_1_3_VERSION");
        assertThat(comparisons).allSatisfy(c ->
                assertThat(c.java()).as(c.what()).isEqualTo(c.c()));
    }
}
