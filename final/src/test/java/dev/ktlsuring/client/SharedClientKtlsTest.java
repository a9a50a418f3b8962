package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link SharedClientTest}'s 10,000 requests with kTLS required: the kernel does every record (run by {@code .ci/ktls-suite}). */
@Tag("ktls")
class SharedClientKtlsTest {

    @BeforeAll
    static void startNginx(@TempDir Path dir) throws Exception {
        SharedClientTest.startNginx(dir);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        SharedClientTest.stopNginx();
    }

    @Test
    void tenThousandRequestsFromSixtyFourVirtualThreadsWithKtls() throws Exception {
        SharedClientTest.tenThousandRequestsFromSixtyFourVirtualThreads(TlsMode.KTLS, false);
    }

    @Test
    void tenThousandRequestsWithSendAsyncWithKtls() throws Exception {
        SharedClientTest.tenThousandRequestsWithSendAsync(TlsMode.KTLS);
    }
}
