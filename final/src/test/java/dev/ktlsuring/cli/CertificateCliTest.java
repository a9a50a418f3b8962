package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.io.JdkHttpsServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static dev.ktlsuring.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad server certificates through the real command line, with our CA trusted ({@code --cacert}): each
 * is refused with exit status 60 and one line saying which check failed, and {@code -k} is the only
 * way past, with its warning. (Untrusted issuer, self-signed and expired certificates are covered at
 * the handshake level by step 2's {@code CertificateRejectionTest} and here by {@code MainTest}.)
 */
class CertificateCliTest {

    static final TestPki PKI = TestPki.shared();
    static String ca;

    @BeforeAll
    static void writeCa(@TempDir Path dir) throws Exception {
        ca = MainTest.caFile(dir).toString();
    }

    static Stream<Arguments> badCertificates() {
        Instant now = Instant.now();
        return Stream.of(
                Arguments.of("not yet valid", PKI.leaf(TestPki.KeyType.EC, TestPki.LOOPBACK_NAMES,
                                now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))), "localhost",
                        "server certificate rejected: certificate not valid before "
                                + "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z \\(CN=localhost\\)"),
                Arguments.of("for another IP address", PKI.leaf(TestPki.KeyType.EC, List.of("IP:127.0.0.2"),
                                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1))), "127.0.0.1",
                        "server certificate rejected: certificate for IP:127\\.0\\.0\\.2 does not match '127\\.0\\.0\\.1'"),
                Arguments.of("weak RSA-1024 key", PKI.leaf(TestPki.KeyType.RSA_1024), "localhost",
                        "server certificate rejected: weak key: RSA 1024 bits, at least 2048 required \\(CN=localhost\\)"),
                Arguments.of("signed with SHA-1", PKI.intermediate("ktls-uring RSA intermediate", TestPki.KeyType.RSA, null)
                                .leaf(TestPki.KeyType.EC, "SHA1withRSA"), "localhost",
                        "server certificate rejected: certificate for CN=localhost is signed with SHA1withRSA, a broken hash"));
    }

    /** Refused with exit 60 and the reason on one line; accepted with {@code -k}, which warns. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badCertificates")
    void refusedWithItsReasonUnlessInsecure(String name, TestPki.Credential credential, String host, String messageRegex)
            throws Exception {
        try (var server = new JdkHttpsServer(credential)) {
            String url = "https://" + host + ":" + server.port() + "/echo";

            Run refused = run("--cacert", ca, url);
            assertThat(refused.status()).as(refused.err()).isEqualTo(60);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).matches("ktls-https: " + messageRegex + "\n");

            Run insecure = run("-k", "--cacert", ca, url);
            assertThat(insecure.status()).as(insecure.err()).isZero();
            assertThat(insecure.err()).isEqualTo("ktls-https: warning: -k: the server's certificate and name are NOT verified\n");
            assertThat(insecure.out()).isEqualTo("GET ");
        }
    }
}
