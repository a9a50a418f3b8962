package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.OpenSslServer;
import dev.ktlsuring.http.Http1Connection;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.ktls.KtlsEnabled;
import dev.ktlsuring.uring.EventLoop;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ktlsuring.fallback.FallbackTest.TIMEOUT;
import static dev.ktlsuring.fallback.FallbackTest.credentialFor;
import static dev.ktlsuring.fallback.FallbackTest.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a kernel with kTLS, auto mode takes the kernel path and forced userspace mode gives the very same
 * response: the two channel implementations are interchangeable.
 */
@Tag("ktls")
class BothPathsTest {

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
    void kernelAndUserspaceReturnTheSameResponse(CipherSuite suite, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("page.txt"), "identical either way\n".repeat(1000));
        HttpResponse viaKernel, viaUserspace;
        try (var server = OpenSslServer.start(credentialFor(suite), suite, root);
             var loop = EventLoop.start("test", 8)) {
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/page.txt");
            try (var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.AUTO, TIMEOUT);
                 var http = new Http1Connection(connection.channel(), TIMEOUT)) {
                assertThat(connection.outcome()).isEqualTo(new KtlsEnabled(suite.version(), suite.cipher()));
                viaKernel = http.send(HttpRequest.get(uri));
            }
            try (var connection = SecureConnection.open(loop, "127.0.0.1", server.port(), options(suite), TlsMode.USERSPACE, TIMEOUT);
                 var http = new Http1Connection(connection.channel(), TIMEOUT)) {
                viaUserspace = http.send(HttpRequest.get(uri));
            }
        }
        assertThat(viaKernel.bodyText()).isEqualTo("identical either way\n".repeat(1000));
        assertThat(viaUserspace.statusLine()).isEqualTo(viaKernel.statusLine());
        assertThat(viaUserspace.body()).isEqualTo(viaKernel.body());
    }
}
