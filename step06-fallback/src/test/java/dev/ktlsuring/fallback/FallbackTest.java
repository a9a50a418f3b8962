package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.OpenSslServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.Http1Connection;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.io.KtlsUnavailableException;
import dev.ktlsuring.ktls.Fallback;
import dev.ktlsuring.ktls.KernelTls;
import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.uring.EventLoop;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fallback on this machine's kernel: every version and cipher completes a GET against OpenSSL,
 * through userspace (saying why) where the kernel has no kTLS, and through the kernel where it has.
 * Each side has its own tests: the fallback ones run on a host without kTLS, the kernel ones, tagged
 * {@code ktls}, in {@code .ci/ktls-suite}, so that each branch is checked where it can happen.
 */
class FallbackTest {

    /** Generous: in the kTLS suite the guest is emulated, and a cold JVM handshakes slowly there. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final TestPki PKI = TestPki.shared();
    /** Where the kernel has kTLS, the fallback cannot happen: the {@code ktls}-tagged twin of the test covers that kernel. */
    static final String HAS_KTLS = "dev.ktlsuring.ktls.KernelTls#ulpAvailable";

    static TlsOptions options(CipherSuite suite) {
        return TlsOptions.defaults().onlySuites(List.of(suite)).withTrust(PKI.trust());
    }

    static TestPki.Credential credentialFor(CipherSuite suite) {
        return PKI.leaf(suite.name().contains("_RSA_") ? TestPki.KeyType.RSA : TestPki.KeyType.EC);
    }

    // tag::auto[]
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    @DisabledIf(value = HAS_KTLS, disabledReason = "this kernel has kTLS: autoModeUsesTheKernel covers it")
    void autoModeFallsBackToUserspaceAndSaysWhy(CipherSuite suite, @TempDir Path root) throws Exception {
        autoModeGet(suite, root, (connection, http) -> {
            assertThat(KernelTls.ulpAvailable()).isFalse();
            assertThat(connection.outcome()).isEqualTo(new Fallback(KernelTls.NO_ULP));
            assertThat(http.describe()).isEqualTo("userspace TLS (fallback: " + KernelTls.NO_ULP + ")");
        });
    }

    @Tag("ktls")
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void autoModeUsesTheKernel(CipherSuite suite, @TempDir Path root) throws Exception {
        autoModeGet(suite, root, (connection, http) -> {
            assertThat(connection.outcome()).isEqualTo(new KtlsEnabled(suite.version(), suite.cipher()));
            assertThat(http.describe()).isEqualTo(connection.outcome().describe());
        });
    }

    /** A GET in {@code AUTO} mode against {@code openssl s_server}; {@code path} checks which path it took. */
    static void autoModeGet(CipherSuite suite, Path root, BiConsumer<SecureConnection, Http1Connection> path)
            throws Exception {
        String content = "the same bytes whoever does the records\n".repeat(300);
        Files.writeString(root.resolve("page.txt"), content);
        try (var server = OpenSslServer.start(credentialFor(suite), suite, root);
             var loop = EventLoop.start("test", 8);
             var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.AUTO, TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {

            HttpResponse response = http.send(HttpRequest.get(URI.create("https://127.0.0.1:" + server.port() + "/page.txt")));

            assertThat(response.statusLine()).isEqualTo("HTTP/1.0 200 ok");
            assertThat(response.bodyText()).isEqualTo(content);
            assertThat(connection.channel().closeNotifyReceived()).isTrue();
            path.accept(connection, http);
        }
    }
    // end::auto[]

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"})
    void userspaceModeNeverAsksTheKernel(CipherSuite suite, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("a.txt"), "a");
        try (var server = OpenSslServer.start(credentialFor(suite), suite, root);
             var loop = EventLoop.start("test", 8);
             var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.USERSPACE, TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {
            assertThat(http.send(HttpRequest.get(URI.create("https://127.0.0.1:" + server.port() + "/a.txt"))).bodyText())
                    .isEqualTo("a");
            assertThat(connection.outcome()).isNull();
            assertThat(http.describe()).isEqualTo("userspace TLS (requested)");
        }
    }

    @Test
    @DisabledIf(value = HAS_KTLS, disabledReason = "this kernel has kTLS: ktlsModeUsesTheKernel covers it")
    void ktlsModeFailsWithTheKernelsReasonWhenItDeclines(@TempDir Path root) throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = OpenSslServer.start(credentialFor(suite), suite, root);
             var loop = EventLoop.start("test", 8)) {
            assertThatThrownBy(() -> SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.KTLS, TIMEOUT))
                    .isInstanceOf(KtlsUnavailableException.class)
                    .hasMessage("kTLS unavailable: " + KernelTls.NO_ULP);
        }
    }

    @Test
    @Tag("ktls")
    void ktlsModeUsesTheKernel(@TempDir Path root) throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        try (var server = OpenSslServer.start(credentialFor(suite), suite, root);
             var loop = EventLoop.start("test", 8);
             var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.KTLS, TIMEOUT)) {
            assertThat(connection.kernelTls()).isTrue();
            assertThat(connection.outcome()).isEqualTo(new KtlsEnabled(suite.version(), suite.cipher()));
        }
    }
}
