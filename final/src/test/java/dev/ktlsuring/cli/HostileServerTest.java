package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static dev.ktlsuring.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile or broken servers on 127.0.0.1, met through the real command line: every one ends in a
 * non-zero exit status with curl's number for the failure and exactly one line on standard error
 * saying what was wrong; none is reported as success.
 */
class HostileServerTest {

    static final TestPki PKI = TestPki.shared();
    static String ca;

    @BeforeAll
    static void writeCa(@TempDir Path dir) throws Exception {
        ca = MainTest.caFile(dir).toString();
    }

    /** Runs {@code ktls-https --cacert CA URL} against {@code server}. */
    static Run get(ScriptedServer server) {
        return run("--cacert", ca, server.url());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A TLS 1.2 ServerHello record choosing {@code version} and {@code suite}, with no extensions. */
    static byte[] serverHello(int version, int suite) {
        var body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version);
        byte[] random = new byte[32];
        Arrays.fill(random, (byte) 0x42);
        body.writeBytes(random);
        body.write(0);                                     // session id: empty
        body.write(suite >> 8);
        body.write(suite);
        body.write(0);                                     // compression: null
        byte[] b = body.toByteArray();
        var record = new ByteArrayOutputStream();
        record.writeBytes(new byte[]{22, 3, 3, 0, (byte) (b.length + 4), 2, 0, 0, (byte) b.length});
        record.writeBytes(b);
        return record.toByteArray();
    }

    static void assertFails(Run r, int status, String message) {
        assertThat(r.status()).as(r.err()).isEqualTo(status);
        assertThat(r.err()).isEqualTo("ktls-https: " + message + "\n");
    }

    /** For messages that carry details beyond the test's control: exit status, and one line starting with {@code start}. */
    static void assertFailsStartingWith(Run r, int status, String start) {
        assertThat(r.status()).as(r.err()).isEqualTo(status);
        assertThat(r.err()).startsWith("ktls-https: " + start).hasLineCount(1);
    }

    // ---------------------------------------------------------------- during the handshake

    /** Bytes of another protocol in place of a TLS record (here an SSH banner): a handshake failure naming what came. */
    @Test
    void garbageInsteadOfATlsRecord() throws Exception {
        try (var server = ScriptedServer.tcp(ascii("SSH-2.0-OpenSSH_9.6\r\n"))) {
            assertFails(get(server), 35, "TLS handshake failed: not a TLS record: content type 0x53");
        }
    }

    /** A record header announcing 65535 bytes, beyond any TLS record, is refused before its body is read. */
    @Test
    void oversizedRecordHeaderDuringTheHandshake() throws Exception {
        byte[] reply = new byte[64];
        System.arraycopy(new byte[]{22, 3, 3, (byte) 0xFF, (byte) 0xFF}, 0, reply, 0, 5);
        try (var server = ScriptedServer.tcp(reply)) {
            assertFails(get(server), 35, "TLS handshake failed: record_overflow: record of 65535 bytes exceeds 18432");
        }
    }

    /** The server reads the ClientHello and closes the connection: the handshake fails, saying so. */
    @Test
    void serverClosesMidHandshake() throws Exception {
        try (var server = ScriptedServer.tcp(new byte[0])) {
            assertFails(get(server), 35, "TLS handshake failed: the server closed the connection");
        }
    }

    /** The server never answers the ClientHello: --connect-timeout, through io_uring's linked timeout, ends it. */
    @Test
    void serverStallsDuringTheHandshake() throws Exception {
        try (var server = ScriptedServer.silentAfterClientHello()) {
            long start = System.nanoTime();
            assertFails(run("--cacert", ca, "--connect-timeout", "1", server.url()), 28,
                    "TLS handshake timed out after 1000 ms (127.0.0.1:" + server.port() + ")");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    /**
     * --max-time bounds the whole transfer, handshake included: with the connect limit at its default
     * of 30 s, a server that never answers the ClientHello is left after the one second of --max-time.
     */
    @Test
    void maxTimeBoundsTheHandshake() throws Exception {
        try (var server = ScriptedServer.silentAfterClientHello()) {
            assertFails(run("--cacert", ca, "--max-time", "1", server.url()), 28,
                    "operation timed out after 1000 ms in the TLS handshake (127.0.0.1:" + server.port() + ")");
        }
    }

    /** A whole plaintext handshake record of 2^14 + 257 bytes: over the limit for an unprotected record (RFC 8446 §5.1). */
    @Test
    void plaintextRecordOverTheLimitDuringTheHandshake() throws Exception {
        int length = (1 << 14) + 257;
        byte[] reply = new byte[5 + length];
        System.arraycopy(new byte[]{22, 3, 3, (byte) (length >> 8), (byte) length}, 0, reply, 0, 5);
        try (var server = ScriptedServer.tcp(reply)) {
            assertFailsStartingWith(get(server), 35, "TLS handshake failed: record_overflow");
        }
    }

    /** A ServerHello choosing TLS_RSA_WITH_AES_128_CBC_SHA, which the client never offers. */
    @Test
    void serverChoosesASuiteTheClientDidNotOffer() throws Exception {
        try (var server = ScriptedServer.tcp(serverHello(0x0303, 0x002F))) {
            assertFailsStartingWith(get(server), 35, "TLS handshake failed: illegal_parameter(47)");
        }
    }

    /** A ServerHello choosing TLS 1.0, which the client never offers. */
    @Test
    void serverChoosesAVersionTheClientDidNotOffer() throws Exception {
        try (var server = ScriptedServer.tcp(serverHello(0x0301, 0xC02B))) {
            assertFailsStartingWith(get(server), 35, "TLS handshake failed: protocol_version(70)");
        }
    }

    /** A real TLS server restricted to a CBC suite (not kTLS-capable, so never offered): it refuses the handshake. */
    @Test
    void serverRestrictedToASuiteTheClientDoesNotOffer() throws Exception {
        try (var server = new JdkTlsServer(PKI.leaf(TestPki.KeyType.EC), "TLSv1.2",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", JdkTlsServer.ECHO)) {
            assertFails(run("--cacert", ca, "https://localhost:" + server.port() + "/"), 35,
                    "TLS handshake failed: the server sent a fatal alert: handshake_failure(40)");
        }
    }

    // ---------------------------------------------------------------- after the handshake: the response

    /**
     * A chunked body whose last chunk never comes: truncated, whether the server then ends TLS properly
     * (close_notify) or just closes TCP.
     */
    @ParameterizedTest(name = "close_notify: {0}")
    @ValueSource(booleans = {true, false})
    void chunkedBodyWithoutTheLastChunk(boolean closeNotify) throws Exception {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), ascii(head + "5\r\nhello\r\n"), closeNotify)) {
            assertFails(get(server), 18, "response truncated: the connection closed in the chunk size");
        }
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), ascii(head + "50\r\nhello"), closeNotify)) {
            assertFails(get(server), 18, "response truncated inside a chunk: the connection closed after 5 body "
                    + "bytes, before the last chunk");
        }
    }

    /** Content-Length not met and the TCP connection closed without close_notify. */
    @Test
    void contentLengthNotMetWithoutCloseNotify() throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"), false)) {
            assertFails(get(server), 18, "response truncated: got 9 of 100 body bytes (Content-Length) before the "
                    + "connection closed");
        }
    }

    /**
     * A body delimited by the end of the connection is complete only if TLS ended with close_notify;
     * a bare TCP close could be an attacker's cut (RFC 8446 §6.1). Proves the real channel reports it.
     */
    @Test
    void bodyUntilCloseIsCompleteOnlyWithCloseNotify() throws Exception {
        byte[] response = ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe whole body");
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), response, true)) {
            Run r = get(server);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("the whole body");
        }
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), response, false)) {
            assertFails(get(server), 18, "response body ends with the connection, but the connection closed "
                    + "without TLS close_notify after 14 bytes: it may be truncated");
        }
    }

    /** The server takes the request and never answers: --max-time ends the exchange, no hang. */
    @Test
    void serverStallsAfterTheRequest() throws Exception {
        try (var server = ScriptedServer.silentAfterRequest(PKI.leaf(TestPki.KeyType.EC))) {
            long start = System.nanoTime();
            assertFails(run("--cacert", ca, "--max-time", "1", server.url()), 28,
                    "operation timed out after 1000 ms (127.0.0.1:" + server.port() + ")");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    /** Responses whose head breaks HTTP/1.1's grammar (RFC 9112 §4, §5, §7.1): malformed, exit 8. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/2 200 OK\\r\\n\\r\\n                                        | malformed status line: \"HTTP/2 200 OK\"",
            "HTTP/1.1 200 OK\\r\\nNoColonHere\\r\\n\\r\\n                      | malformed header field (no name or colon): \"NoColonHere\"",
            "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n | invalid chunk size: \"zz\""})
    void malformedResponse(String response, String message) throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii(response.replace("\\r\\n", "\r\n")), true)) {
            assertFails(get(server), 8, message);
        }
    }

    // tag::excess[]
    /**
     * Bytes after a complete response, whether they share its last TLS record or come in one of their
     * own: discarded either way (RFC 9112 §6.3), the response is what its framing says, the connection
     * is not reused, and -v says what was dropped when it was received.
     */
    @ParameterizedTest(name = "{0}, extra bytes in a record of their own: {1}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/1.1 200 OK\\r\\nConnection: close\\r\\nContent-Length: 5\\r\\n\\r\\nhello | false",
            "HTTP/1.1 200 OK\\r\\nConnection: close\\r\\nContent-Length: 5\\r\\n\\r\\nhello | true",
            "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello                       | false",
            "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello                       | true",
            "HTTP/1.1 204 No Content\\r\\n\\r\\n                                      | false",
            "HTTP/1.1 204 No Content\\r\\n\\r\\n                                      | true",
            "HTTP/1.1 304 Not Modified\\r\\n\\r\\n                                    | false"})
    void bytesAfterTheResponseAreDiscardedWhereverTheyArrive(String response, boolean ownRecord) throws Exception {
        byte[] head = ascii(response.replace("\\r\\n", "\r\n"));
        byte[] extra = ascii("EXTRA, and then some");
        List<byte[]> records = ownRecord ? List.of(head, extra) : List.of(concat(head, extra));
        try (var server = ScriptedServer.tlsRecords(PKI.leaf(TestPki.KeyType.EC), records)) {
            Run r = run("-v", "--cacert", ca, server.url());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(response.endsWith("hello") ? "hello" : "");
            if (!ownRecord) {
                assertThat(r.err()).contains("* Discarded 20 bytes received after the response's end (beyond its "
                        + "framing); the connection is not reused\n");
            }
        }
    }
    // end::excess[]

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** RFC 9112 §5.2: obs-fold in a response header is replaced by SP, not refused. */
    @Test
    void obsFoldIsUnfolded() throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\tc\r\nContent-Length: 5\r\n\r\nhello"), true)) {
            Run r = run("-i", "--cacert", ca, server.url());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("HTTP/1.1 200 OK\r\nX-Folded: a b c\r\nContent-Length: 5\r\n\r\nhello");
        }
    }

    /** No control character of the server's reaches the terminal, and a long value is cut, in errors and in -v. */
    @Test
    void serverBytesNeverReachTheTerminalRaw() throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nContent-Length: \u001b]0;owned\u0007\u001b[2J5\r\n\r\nhello"), true)) {
            assertFails(get(server), 8, "invalid Content-Length: \"?]0;owned??[2J5\"");
        }
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nContent-Length: " + "1".repeat(60_000) + "\r\n\r\n"), true)) {
            assertFails(get(server), 8, "invalid Content-Length: \"" + "1".repeat(57) + "...\"");
        }
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nX-Title: \u001b]0;owned\u0007\u009b2J\r\nContent-Length: 2\r\n\r\nok"), true)) {
            Run r = run("-v", "--cacert", ca, server.url());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err()).contains("* < X-Title: \\x1b]0;owned\\x07\\x9b2J\n")
                    .doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
        }
    }

    /**
     * RFC 9110 §2.5: HTTP/1.2 is read as HTTP/1.1 (curl refuses it, exit 1); a chunk size with leading
     * zeros is valid (curl refuses more than 16 digits); one with anything before its digits is not.
     */
    @Test
    void versionAndChunkSizeAsTheRfcsHaveThem() throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.2 200 OK\r\nContent-Length: 5\r\n\r\nhello"), true)) {
            Run r = get(server);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("hello");
        }
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii(chunked + "00000000000000000000000005\r\nhello\r\n0\r\n\r\n"), true)) {
            Run r = get(server);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("hello");
        }
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii(chunked + "\u00015\r\nhello\r\n0\r\n\r\n"), true)) {
            assertFails(get(server), 8, "invalid chunk size: \"?5\"");
        }
    }

    /** No response at all before the connection ends: curl's "Empty reply from server", exit 52. */
    @ParameterizedTest(name = "close_notify: {0}")
    @ValueSource(booleans = {true, false})
    void noResponseAtAllIsAnEmptyReply(boolean closeNotify) throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), new byte[0], closeNotify)) {
            assertFails(get(server), 52, "the server closed the connection without sending a response");
        }
    }

    /** A 101 to a request that asked for no upgrade is malformed (RFC 9110 §15.2.2); to one that did, it is the answer. */
    @Test
    void switchingProtocolsOnlyWhenAskedFor() throws Exception {
        String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\nfoo bytes";
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), ascii(response), true)) {
            assertFails(get(server), 8, "the server switched protocols (101) though the request asked for no upgrade: "
                    + "\"HTTP/1.1 101 Switching Protocols\"");
            Run asked = run("-i", "-H", "Upgrade: foo", "-H", "Connection: Upgrade", "--cacert", ca, server.url());
            assertThat(asked.status()).as(asked.err()).isZero();
            assertThat(asked.out()).isEqualTo("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n");
        }
    }

    /** -i prints interim responses' heads before the final one, as curl's does. */
    @Test
    void includePrintsInterimHeads() throws Exception {
        String response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC), ascii(response), true)) {
            Run r = run("-i", "--cacert", ca, server.url());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(response);
        }
    }

    /**
     * A server that answers 413 and closes before the upload is done: the client's send fails, and the
     * answer that came is the result (exit 0), as in curl, not the failed send (56).
     */
    @Test
    void anAnswerBeforeTheWholeUploadIsShown(@TempDir Path dir) throws Exception {
        Path upload = dir.resolve("large.bin");
        try (var file = java.nio.channels.FileChannel.open(upload, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[1]), 32L << 20);
        }
        String answer = "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 9\r\n\r\ntoo large";
        try (var server = ScriptedServer.answersBeforeTheBody(PKI.leaf(TestPki.KeyType.EC), ascii(answer))) {
            Run r = run("-i", "-v", "-d", "@" + upload, "--cacert", ca, server.url());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(answer);
            assertThat(r.err()).containsPattern("\\* The request could not be sent whole \\(send: E\\w+ \\(127\\.0\\.0\\.1:\\d+\\)\\); "
                    + "reading what the server answered");
        }
    }

    /** A header section of about 70 KB in 100 fields, each one small: over the 64 KiB limit for the whole section. */
    @Test
    void headerSectionOverTheLimit() throws Exception {
        String fields = ("X-Filler: " + "f".repeat(690) + "\r\n").repeat(100);
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\n" + fields + "Content-Length: 0\r\n\r\n"), true)) {
            assertFails(get(server), 8, "response header section exceeds 65536 bytes");
        }
    }

    /** A carriage return inside a header value (RFC 9112 §2.2: a bare CR is invalid) is a malformed response. */
    @Test
    void bareCarriageReturnInAHeaderValue() throws Exception {
        try (var server = ScriptedServer.tls(PKI.leaf(TestPki.KeyType.EC),
                ascii("HTTP/1.1 200 OK\r\nX-Split: a\rInjected: 1\r\nContent-Length: 0\r\n\r\n"), true)) {
            assertFails(get(server), 8, "malformed header field value (bare CR): \"X-Split: a?Injected: 1\"");
        }
    }
}
