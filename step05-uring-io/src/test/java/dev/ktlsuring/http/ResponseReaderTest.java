package dev.ktlsuring.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The response reader on exact byte streams, delivered in pieces of every size from 1 byte up so that
 * each boundary (inside a CRLF, a chunk size, a header) is crossed somewhere.
 */
class ResponseReaderTest {

    /** Serves {@code bytes} {@code piece} at a time, then ends with or without close_notify. */
    record Bytes(byte[] bytes, int piece, boolean authenticEnd, int[] at) implements ByteSource {
        Bytes(String text, int piece, boolean authenticEnd) {
            this(text.getBytes(StandardCharsets.ISO_8859_1), piece, authenticEnd, new int[1]);
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at[0] == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(piece, length), bytes.length - at[0]);
            System.arraycopy(bytes, at[0], into, offset, n);
            at[0] += n;
            return n;
        }

        @Override
        public boolean endIsAuthentic() {
            return authenticEnd;
        }
    }

    static HttpResponse read(String wire, int piece, boolean authenticEnd) throws IOException {
        return new ResponseReader(new Bytes(wire, piece, authenticEnd), 1 << 20).read("GET");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 100_000})
    void contentLengthBody(int piece) throws IOException {
        HttpResponse r = read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", piece, false);
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.header("x-a")).contains("b");
        assertThat(r.bodyText()).isEqualTo("hello");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 100_000})
    void chunkedBodyWithExtensionsAndTrailers(int piece) throws IOException {
        HttpResponse r = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n19\r\n, chunked world of twenty\r\n0\r\nTrailer: x\r\n\r\n", piece, false);
        assertThat(r.bodyText()).isEqualTo("hello, chunked world of twenty");
    }

    @Test
    void interimResponsesAreSkippedAndKeepAliveIsTracked() throws IOException {
        var reader = new ResponseReader(new Bytes("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 4, false), 1024);
        assertThat(reader.read("POST").status()).isEqualTo(201);
        assertThat(reader.reusable()).isTrue();

        var closing = new ResponseReader(new Bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                4, false), 1024);
        closing.read("GET");
        assertThat(closing.reusable()).isFalse();
    }

    @Test
    void headAndNoContentHaveNoBody() throws IOException {
        var reader = new ResponseReader(new Bytes("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n", 100, false), 1024);
        assertThat(reader.read("HEAD").body()).isEmpty();
        assertThat(reader.read("DELETE").status()).isEqualTo(204);
    }

    @Test
    void bodyUntilCloseNeedsCloseNotify() throws IOException {
        String wire = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nall of it";
        assertThat(read(wire, 3, true).bodyText()).isEqualTo("all of it");
        assertThatThrownBy(() -> read(wire, 3, false))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessage("response body ends with the connection, but the connection closed without TLS "
                        + "close_notify after 9 bytes: it may be truncated");
    }

    @Test
    void truncationIsNeverSuccess() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", 3, true))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessage("response truncated: got 4 of 10 body bytes (Content-Length) before the connection closed");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 3, true))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessage("response truncated: the connection closed in the chunk size");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n50\r\nhello", 3, true))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessageStartingWith("response truncated inside a chunk");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Le", 3, true))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessage("response truncated: the connection closed in the header");
        assertThatThrownBy(() -> read("", 3, true))
                .isInstanceOf(TruncatedResponseException.class)
                .hasMessage("the server closed the connection without sending a response");
    }

    @Test
    void malformedResponsesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> read("HTTP/2 200 OK\r\n\r\n", 100, true))
                .isInstanceOf(HttpProtocolException.class).hasMessage("malformed status line: \"HTTP/2 200 OK\"");
        assertThatThrownBy(() -> read("\u0016\u0003\u0003 binary\r\n\r\n", 100, true))
                .hasMessage("malformed status line: \"??? binary\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 100, true))
                .hasMessage("malformed header field (no name or colon): \"no colon here\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100, true))
                .hasMessage("invalid chunk size: \"zz\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 100, true))
                .hasMessage("conflicting Content-Length values: [5, 6]");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100, true))
                .hasMessage("invalid Content-Length: \"-1\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n", 1000, true))
                .hasMessage("the header exceeds 65536 bytes");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(300) + "\r\n", 1000, true))
                .hasMessage("response has more than 256 header fields");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n", 1000, true))
                .hasMessage("response body of 2000000 bytes exceeds the limit of 1048576");
    }

    /** RFC 9112 §5.2: a user agent replaces obs-fold with SP; whitespace before the first field is still refused (§2.2). */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 100_000})
    void obsFoldIsUnfolded(int piece) throws IOException {
        HttpResponse r = read("HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\tc\r\nContent-Length:\r\n 5\r\n\r\nhello",
                piece, false);
        assertThat(r.headers()).containsExactly(new Header("X-Folded", "a b c"), new Header("Content-Length", "5"));
        assertThat(r.bodyText()).isEqualTo("hello");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n folded: 1\r\n\r\n", piece, true))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessage("malformed header section: whitespace before the first header field: \" folded: 1\"");
    }

    /**
     * chunk-size is 1*HEXDIG (RFC 9112 §7.1): leading zeros are digits, so any number of them is fine;
     * anything before the digits is not, control characters included; whitespace may follow them.
     */
    @Test
    void chunkSizeIsHexDigitsFirst() throws IOException {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(read(head + "00000000000000000000005\r\nhello\r\n000\r\n\r\n", 3, false).bodyText()).isEqualTo("hello");
        assertThat(read(head + "5 \t\r\nhello\r\n0 ; last\r\n\r\n", 3, false).bodyText()).isEqualTo("hello");
        assertThatThrownBy(() -> read(head + "\u00015\r\nhello\r\n0\r\n\r\n", 3, true))
                .isInstanceOf(HttpProtocolException.class).hasMessage("invalid chunk size: \"?5\"");
        assertThatThrownBy(() -> read(head + " 5\r\nhello\r\n0\r\n\r\n", 3, true))
                .hasMessage("invalid chunk size: \" 5\"");
        assertThatThrownBy(() -> read(head + "5x\r\nhello\r\n0\r\n\r\n", 3, true))
                .hasMessage("invalid chunk size: \"5x\"");
        assertThatThrownBy(() -> read(head + "0x5\r\nhello\r\n0\r\n\r\n", 3, true))
                .hasMessage("invalid chunk size: \"0x5\"");
        assertThatThrownBy(() -> read(head + "1000000000000000\r\n", 3, true))
                .hasMessage("chunk size too large: \"1000000000000000\"");
    }

    /** RFC 9110 §2.5: a higher minor version of HTTP/1 is read as HTTP/1.1 (kept alive); HTTP/2 syntax is not HTTP/1. */
    @Test
    void higherMinorVersionIsReadAsHttp11() throws IOException {
        var reader = new ResponseReader(new Bytes("HTTP/1.2 200 OK\r\nContent-Length: 5\r\n\r\nhello", 4, false), 1024);
        HttpResponse r = reader.read("GET");
        assertThat(r.statusLine()).isEqualTo("HTTP/1.2 200 OK");
        assertThat(r.bodyText()).isEqualTo("hello");
        assertThat(reader.reusable()).isTrue();
        assertThatThrownBy(() -> read("HTTP/2.0 200 OK\r\n\r\n", 100, true)).hasMessage("malformed status line: \"HTTP/2.0 200 OK\"");
    }

    /** Nothing at all before the end is an empty reply, told apart from a response cut short (curl: 52 and 18). */
    @Test
    void noResponseAtAllIsAnEmptyReply() {
        assertThatThrownBy(() -> read("", 3, true)).isExactlyInstanceOf(EmptyResponseException.class);
        assertThatThrownBy(() -> read("", 3, false)).isExactlyInstanceOf(EmptyResponseException.class);
        assertThatThrownBy(() -> read("H", 3, true)).isExactlyInstanceOf(TruncatedResponseException.class);
    }

    /** A 101 is the end of HTTP on the connection: refused unless the request asked to upgrade (RFC 9110 §15.2.2). */
    @Test
    void switchingProtocolsOnlyWhenAskedFor() throws IOException {
        String wire = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\nfoo bytes";
        assertThatThrownBy(() -> read(wire, 5, true)).isInstanceOf(HttpProtocolException.class)
                .hasMessage("the server switched protocols (101) though the request asked for no upgrade: "
                        + "\"HTTP/1.1 101 Switching Protocols\"");
        var reader = new ResponseReader(new Bytes(wire, 5, true), 1024);
        HttpResponse r = reader.read("GET", new ResponseReader.Heads() {
            @Override
            public java.io.OutputStream bodySink(HttpResponse head) {
                return null;
            }

            @Override
            public boolean upgradeRequested() {
                return true;
            }
        });
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.body()).isEmpty();
        assertThat(reader.reusable()).isFalse();
    }

    /** Interim responses are skipped for the body, but their heads are told to whoever asks (curl -i prints them). */
    @Test
    void interimHeadsAreReported() throws IOException {
        var interim = new java.util.ArrayList<String>();
        var reader = new ResponseReader(new Bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                + "Link: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 6, false), 1024);
        HttpResponse r = reader.read("GET", new ResponseReader.Heads() {
            @Override
            public java.io.OutputStream bodySink(HttpResponse head) {
                return null;
            }

            @Override
            public void interim(HttpResponse head) {
                interim.add(head.statusLine() + " " + head.headers());
            }
        });
        assertThat(interim).containsExactly("HTTP/1.1 100 Continue []", "HTTP/1.1 103 Early Hints [Link: </a>]");
        assertThat(r.bodyText()).isEqualTo("ok");
    }

    /** Bytes beyond a complete response are dropped on request, and the connection is then not reusable. */
    @Test
    void excessAfterAResponseIsDiscarded() throws IOException {
        var reader = new ResponseReader(new Bytes("HTTP/1.1 204 No Content\r\n\r\nbody", 100, false), 1024);
        assertThat(reader.read("GET").status()).isEqualTo(204);
        assertThat(reader.reusable()).isTrue();
        assertThat(reader.discardExcess()).isEqualTo(4);
        assertThat(reader.reusable()).isFalse();
        assertThat(reader.buffered()).isZero();
        var exact = new ResponseReader(new Bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 100, false), 1024);
        exact.read("GET");
        assertThat(exact.discardExcess()).isZero();
        assertThat(exact.reusable()).isTrue();
    }

    /** Methods are case-sensitive (RFC 9110 §9.1): "head" is not HEAD, and its response has a body. */
    @Test
    void onlyHeadInCapitalsHasNoBody() throws IOException {
        String wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assertThat(new ResponseReader(new Bytes(wire, 100, false), 1024).read("head").bodyText()).isEqualTo("hello");
        assertThat(new ResponseReader(new Bytes(wire, 100, false), 1024).read("HEAD").body()).isEmpty();
    }

    /** A value quoted in an error is the peer's: control characters become '?', and a long one is cut. */
    @Test
    void quotedValuesAreEscapedAndCut() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: \u001b[31m5\u001b[0m\r\n\r\nhello", 100, true))
                .hasMessage("invalid Content-Length: \"?[31m5?[0m\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: " + "9".repeat(60_000) + "\r\n\r\n", 1000, true))
                .hasMessage("invalid Content-Length: \"" + "9".repeat(57) + "...\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\u001b\r\n\r\n", 100, true))
                .hasMessage("invalid Content-Length: \"6?\"");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6,\u001b7\r\n\r\n", 100, true))
                .hasMessage("conflicting Content-Length values: [5, 6,?7]");
    }

    @Test
    void requestHeadIsWellFormed() {
        var request = new HttpRequest("POST", java.net.URI.create("https://[::1]:8443/a/b?q=1"),
                java.util.List.of(new Header("X-Trace", "7")), "body".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(request.head(), StandardCharsets.ISO_8859_1)).isEqualTo(
                "POST /a/b?q=1 HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: ktls-uring-java/0.1\r\nAccept: */*\r\n"
                        + "Content-Length: 4\r\nX-Trace: 7\r\n\r\n");
        assertThat(new String(HttpRequest.get(java.net.URI.create("https://example.test")).head(),
                StandardCharsets.ISO_8859_1)).startsWith("GET / HTTP/1.1\r\nHost: example.test\r\n");
        assertThatThrownBy(() -> new Header("Bad Name", "x")).hasMessage("invalid header name: \"Bad Name\"");
        assertThatThrownBy(() -> new Header("X", "a\r\nInjected: 1")).hasMessageContaining("CR, LF or NUL");
        assertThatThrownBy(() -> new Header("X", "5 \u20ac")).hasMessageContaining("outside ISO-8859-1");
        assertThat(new Header("X", "caf\u00e9").value()).isEqualTo("caf\u00e9");         // obs-text: sent as one byte
        assertThatThrownBy(() -> new HttpRequest("GE T", java.net.URI.create("https://example.test"), java.util.List.of(), null))
                .hasMessage("invalid HTTP method: \"GE T\"");
    }

    /** A request line is ASCII (RFC 9112 §3.2): characters beyond it go out percent-encoded as UTF-8 (RFC 3986 §2.5), as curl's. */
    @Test
    void nonAsciiTargetIsPercentEncodedAsUtf8() {
        var request = HttpRequest.get(java.net.URI.create("https://example.test/caf\u00e9/\u65e5\u672c/%41?q=\u00fc&r=\ud83d\ude00#frag"));
        assertThat(new String(request.head(), StandardCharsets.ISO_8859_1))
                .startsWith("GET /caf%C3%A9/%E6%97%A5%E6%9C%AC/%41?q=%C3%BC&r=%F0%9F%98%80 HTTP/1.1\r\n");
        assertThat(new String(new HttpRequest("get", java.net.URI.create("https://example.test/"), java.util.List.of(), null)
                .head(), StandardCharsets.ISO_8859_1)).startsWith("get / HTTP/1.1\r\n").doesNotContain("Content-Length");
    }
}
