package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.http.HttpResponse;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kept-alive connection the server wrote to while it sat idle in the pool: the next request must go
 * out on a new connection, never read the unsolicited bytes as its response (response splitting by a
 * late record). The {@code ktls} suite repeats this with the kernel doing the records.
 */
class IdleConnectionTest {

    static final TestPki PKI = TestPki.shared();

    /** A complete, well-framed response nobody asked for: exactly what would poison the next exchange. */
    static final byte[] UNSOLICITED = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL".getBytes(StandardCharsets.US_ASCII);

    /**
     * A keep-alive HTTPS server answering {@code connection C response R}; after the first response on
     * the first connection it waits for {@link #release} and sends {@link #UNSOLICITED} in a record of
     * its own. The test releases it once the client has the whole first response: were the two to
     * arrive together, the client would rightly refuse the first response for its extra bytes instead.
     * Later connections are never poisoned: the latch is open by then, so the unsolicited record would
     * follow their first response at once, and the kernel's TLS receive may return both in one read.
     */
    static final class PoisoningServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch poisoned = new CountDownLatch(1);
        final JdkTlsServer server;

        PoisoningServer(String protocol, String suite) throws IOException {
            server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), protocol, suite, this::serve);
        }

        private void serve(SSLSocket socket) throws IOException {
            int connection = connections.incrementAndGet();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int response = 1; JdkTlsServer.readRequestHead(in) != null; response++) {
                String body = "connection " + connection + " response " + response;
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (connection == 1 && response == 1) {
                    try {
                        if (!release.await(5, TimeUnit.MINUTES)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    out.write(UNSOLICITED);
                    out.flush();
                    poisoned.countDown();
                }
            }
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    /** Two GETs with the unsolicited response in between: the second is answered on a second connection. */
    static void unsolicitedBytesWhileIdleAreNeverTakenForTheNextResponse(TlsMode mode, String protocol, String suite)
            throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        try (var server = new PoisoningServer(protocol, suite);
             var client = HttpsClient.create(HttpsClientTest.options(mode, trace))) {
            URI uri = URI.create("https://localhost:" + server.port() + "/");

            HttpResponse first = client.send(Request.get(uri));
            server.release.countDown();
            assertThat(server.poisoned.await(60, TimeUnit.SECONDS)).as("server sent the unsolicited response").isTrue();
            sleep(1000);                           // loopback delivery, with room for an emulated guest
            HttpResponse second = client.send(Request.get(uri));

            assertThat(first.bodyText()).isEqualTo("connection 1 response 1");
            assertThat(second.bodyText()).isEqualTo("connection 2 response 1");
            assertThat(server.connections).hasValue(2);
            assertThat(trace).contains("Kept-alive connection received data or a close while idle; connecting again");
            assertThat(server.server.failures()).isEmpty();
        }
    }

    @Test
    void unsolicitedResponseWhileIdleOverTls13() throws Exception {
        unsolicitedBytesWhileIdleAreNeverTakenForTheNextResponse(TlsMode.USERSPACE, "TLSv1.3", "TLS_AES_128_GCM_SHA256");
    }

    @Test
    void unsolicitedResponseWhileIdleOverTls12() throws Exception {
        unsolicitedBytesWhileIdleAreNeverTakenForTheNextResponse(TlsMode.USERSPACE, "TLSv1.2",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }

    /** A well-behaved keep-alive server is still reused: the check must not discard clean connections. */
    @Test
    void quietIdleConnectionIsReused() throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
                 connections.incrementAndGet();
                 InputStream in = socket.getInputStream();
                 for (int response = 1; JdkTlsServer.readRequestHead(in) != null; response++) {
                     socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + response)
                             .getBytes(StandardCharsets.US_ASCII));
                     socket.getOutputStream().flush();
                 }
             });
             var client = HttpsClient.create(HttpsClientTest.options(TlsMode.USERSPACE, trace))) {
            URI uri = URI.create("https://localhost:" + server.port() + "/");
            for (int i = 1; i <= 3; i++) {
                assertThat(client.send(Request.get(uri)).bodyText()).isEqualTo(Integer.toString(i));
                sleep(100);
            }
            assertThat(connections).hasValue(1);
            assertThat(trace).noneMatch(l -> l.startsWith("Kept-alive connection"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
