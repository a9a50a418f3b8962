package dev.ktlsuring.client;

import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.http.Header;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The request head announces exactly what follows it (RFC 9112 §6): with a caller's Content-Length,
 * exactly that many bytes go out, and a source that ends sooner fails the request instead of leaving
 * the server waiting for bytes, or reading the next request's as this one's.
 */
class RequestFramingTest {

    static final TestPki PKI = TestPki.shared();

    /** Each request's head and up to 10 body bytes, as they came, until the client closed the connection. */
    static JdkTlsServer recording(BlockingQueue<String> received) throws Exception {
        return new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            var all = new ByteArrayOutputStream();
            byte[] head = JdkTlsServer.readRequestHead(socket.getInputStream());
            all.writeBytes(head);
            byte[] body = socket.getInputStream().readNBytes(10);
            all.writeBytes(body);
            received.add(all.toString(StandardCharsets.ISO_8859_1));
            if (body.length == 10) {
                socket.getOutputStream().write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
        });
    }

    static HttpsClient client() throws Exception {
        return HttpsClient.create(ClientOptions.defaults().withTls(TlsOptions.defaults().withTrust(PKI.trust()))
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    @Test
    void aStreamShorterThanItsContentLengthFailsTheRequest() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (var server = recording(received); var client = client()) {
            URI uri = URI.create("https://localhost:" + server.port() + "/");
            var shortStream = new Request("PUT", uri, List.of(new Header("Content-Length", "10")),
                    RequestBody.of(new ByteArrayInputStream("12345".getBytes(StandardCharsets.US_ASCII))));
            assertThatThrownBy(() -> client.send(shortStream)).isInstanceOf(RequestBodyException.class)
                    .hasMessage("the request body ended after 5 of the 10 bytes announced (Content-Length): its source "
                            + "changed while it was sent");
            // The connection is closed with what was sent: fewer bytes than announced, never more.
            assertThat(received.poll(30, TimeUnit.SECONDS)).startsWith("PUT / HTTP/1.1\r\n")
                    .containsPattern("\r\nContent-Length: 10\r\n\r\n(12345)?$");

            var longStream = new Request("PUT", uri, List.of(new Header("Content-Length", "10")),
                    RequestBody.of(new ByteArrayInputStream("0123456789 and more".getBytes(StandardCharsets.US_ASCII))));
            assertThat(client.send(longStream).status()).isEqualTo(204);
            assertThat(received.poll(30, TimeUnit.SECONDS)).endsWith("\r\nContent-Length: 10\r\n\r\n0123456789");
        }
    }

    /** Headers that could not frame the body are refused before anything is sent (RFC 9112 §6.1, §6.2). */
    @Test
    void framingHeadersMustDescribeTheBody() {
        URI uri = URI.create("https://localhost/");
        RequestBody hello = RequestBody.of("hello".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new Request("POST", uri, List.of(new Header("Content-Length", "4")), hello))
                .hasMessage("Content-Length: 4 does not match the body's 5 bytes");
        assertThatThrownBy(() -> new Request("POST", uri, List.of(new Header("Transfer-Encoding", "chunked, gzip")), hello))
                .hasMessage("a request's Transfer-Encoding must end with chunked (RFC 9112 §6.1), not \"chunked, gzip\"");
        assertThatThrownBy(() -> new Request("POST", uri, List.of(new Header("Transfer-Encoding", "chunked"),
                new Header("Content-Length", "5")), hello))
                .hasMessage("a request cannot carry both Transfer-Encoding and Content-Length (RFC 9112 §6.2)");
        assertThatThrownBy(() -> new Request("POST", uri, List.of(new Header("Content-Length", "5, 6")), hello))
                .hasMessage("invalid Content-Length for a request: [5, 6]");
        assertThat(new Request("get", uri, List.of(), RequestBody.EMPTY).method()).isEqualTo("get");
    }
}
