package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The library's nginx cases with kTLS required: the kernel does every record (run by {@code .ci/ktls-suite}). */
@Tag("ktls")
class HttpsClientKtlsTest {

    @BeforeAll
    static void startNginx(@TempDir Path dir) throws Exception {
        HttpsClientTest.startNginx(dir);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        HttpsClientTest.stopNginx();
    }

    @Test
    void fiveMethodsAgainstNginxWithKtls(@TempDir Path tmp) throws Exception {
        HttpsClientTest.fiveMethodsAgainstNginx(TlsMode.KTLS, tmp);
    }

    @Test
    void autoModeSaysItUsesKtls() throws Exception {
        assertThat(HttpsClientTest.autoModeTrace())
                .anyMatch(l -> l.matches("Using kTLS \\(kernel TLS\\) \\+ io_uring: kTLS TX\\+RX \\(TLSv1\\.3 \\w+\\)"));
    }

    @Test
    void largeDownloadWithKtls() throws Exception {
        HttpsClientTest.largeDownloadStreamsExactly(TlsMode.KTLS);
    }

    /** The idle check polls the socket, where the kernel holds the unsolicited record: same outcome as userspace. */
    @Test
    void unsolicitedResponseWhileIdleWithKtls13() throws Exception {
        IdleConnectionTest.unsolicitedBytesWhileIdleAreNeverTakenForTheNextResponse(TlsMode.KTLS, "TLSv1.3",
                "TLS_AES_128_GCM_SHA256");
    }

    @Test
    void unsolicitedResponseWhileIdleWithKtls12() throws Exception {
        IdleConnectionTest.unsolicitedBytesWhileIdleAreNeverTakenForTheNextResponse(TlsMode.KTLS, "TLSv1.2",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }
}
