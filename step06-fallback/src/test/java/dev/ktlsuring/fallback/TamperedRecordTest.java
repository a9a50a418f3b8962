package dev.ktlsuring.fallback;

import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.http.Http1Connection;
import dev.ktlsuring.http.HttpRequest;
import dev.ktlsuring.io.JdkHttpsServer;
import dev.ktlsuring.uring.EventLoop;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static dev.ktlsuring.fallback.FallbackTest.TIMEOUT;
import static dev.ktlsuring.fallback.FallbackTest.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * One bit of one response record flipped on the wire (by {@link TamperingProxy}): whoever opens the
 * records must refuse it as a failed authentication (bad_record_mac), never hand out the altered
 * plaintext. The userspace cases run everywhere; the kernel cases in the {@code ktls} suite, where
 * the kernel's recvmsg fails with EBADMSG.
 */
class TamperedRecordTest {

    static final TestPki PKI = TestPki.shared();

    // tag::tampered[]
    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
    void userspaceRefusesATamperedRecord(CipherSuite suite) throws Exception {
        assertTamperedRecordRefused(suite, TlsMode.USERSPACE,
                "TLS record rejected (bad_record_mac(20)) from 127.0.0.1:%d: the record failed authentication: "
                        + "the data was altered in transit or the keys are wrong");
    }

    @Tag("ktls")
    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
    void kernelRefusesATamperedRecordWithEbadmsg(CipherSuite suite) throws Exception {
        assertTamperedRecordRefused(suite, TlsMode.KTLS, "recvmsg: EBADMSG (127.0.0.1:%d): a TLS record failed "
                + "authentication (bad_record_mac): the data was altered in transit or the keys are wrong");
    }
    // end::tampered[]

    /** {@code expected} has a {@code %d} for the proxy's port, the peer the client sees. */
    private static void assertTamperedRecordRefused(CipherSuite suite, TlsMode mode, String expected) throws Exception {
        // SSLServerSocket, not the JDK's HttpsServer: that one drops a connection whose handshake is still
        // running after its idle interval, as a cold JVM's first one can be in the emulated guest.
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), suite.version().toString(), suite.name(),
                TamperedRecordTest::answerWithABody);
             var proxy = new TamperingProxy(server.port(), suite.version());
             var loop = EventLoop.start("test", 8);
             var connection = SecureConnection.open(loop, "127.0.0.1", proxy.port(), options(suite), mode, TIMEOUT);
             var http = new Http1Connection(connection.channel(), TIMEOUT)) {
            assertThat(connection.session().version()).isEqualTo(suite.version());
            assertThat(connection.kernelTls()).isEqualTo(mode == TlsMode.KTLS);

            var refused = catchThrowableOfType(SSLException.class,
                    () -> http.send(HttpRequest.get(URI.create("https://127.0.0.1:" + proxy.port() + "/"))));

            assertThat(proxy.tampered()).as("the proxy altered a response record").isTrue();
            assertThat(refused).as("the altered record must be refused, not read").isNotNull()
                    .hasMessage(expected.formatted(proxy.port()));
        }
    }

    /** Reads the request head, then answers with a 40,000-byte body: three records or more. */
    private static void answerWithABody(SSLSocket socket) throws IOException {
        InputStream in = socket.getInputStream();
        if (JdkTlsServer.readRequestHead(in) == null) {
            return;
        }
        OutputStream out = socket.getOutputStream();
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 40000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(JdkHttpsServer.pattern(40_000));
        out.flush();
        in.read();                               // until the client goes
    }
}
