package dev.ktlsuring.cli;

import dev.ktlsuring.cli.MainTest.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.ktlsuring.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user types, as the request that goes out: the bytes the server receives are checked against
 * what the command line said (and against what curl 7.88 sends for the same command line), and local
 * files that cannot be used fail before any connection, with curl's exit status.
 */
class UserInputTest {

    static String ca;

    @BeforeAll
    static void writeCa(@TempDir Path dir) throws Exception {
        ca = MainTest.caFile(dir).toString();
    }

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- -d: the head frames what is sent

    /**
     * A file whose size the file system gives as 0 though it has content (procfs): read whole, and
     * announced with its real length, not as {@code Content-Length: 0} followed by bytes.
     */
    @Test
    void procFileIsSentWithItsRealLength() throws Exception {
        byte[] version = Files.readAllBytes(Path.of("/proc/version"));
        try (var server = new RecordingServer()) {
            Run r = run("-d", "@/proc/version", "--cacert", ca, server.url("/"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(Integer.toString(version.length));
            var request = server.requests.getFirst();
            assertThat(request.text()).contains("\r\nContent-Length: " + version.length + "\r\n")
                    .endsWith("\r\n\r\n" + latin1(version));
        }
    }

    /**
     * A file that is not a regular file (here a FIFO, as /dev/stdin is a pipe) has no size to announce:
     * it goes out chunked, as {@code -d @-} does, and nothing follows the last chunk unframed.
     */
    @Test
    void pipeIsSentChunked(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        byte[] data = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(data);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try (var server = new RecordingServer()) {
            Run r = run("-d", "@" + fifo, "--cacert", ca, server.url("/"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(Integer.toString(data.length));
            var request = server.requests.getFirst();
            assertThat(request.text()).contains("\r\nTransfer-Encoding: chunked\r\n").doesNotContain("Content-Length")
                    .endsWith("\r\n\r\n" + Integer.toHexString(data.length) + "\r\n" + latin1(data) + "\r\n0\r\n\r\n");
            assertThat(server.requests).hasSize(1);
        }
        writer.join();
    }

    /** -H 'Transfer-Encoding: chunked' with -d: the body is chunk-encoded, as curl does, not sent raw under that head. */
    @Test
    void userChunkedTransferEncodingIsHonoured() throws Exception {
        try (var server = new RecordingServer()) {
            Run r = run("-H", "Transfer-Encoding: chunked", "-d", "hello", "--cacert", ca, server.url("/"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("5");
            assertThat(server.requests.getFirst().text()).contains("\r\nTransfer-Encoding: chunked\r\n")
                    .doesNotContain("Content-Length").endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        }
    }

    /** Framing headers that cannot describe the body are a usage error, and nothing is sent. */
    @Test
    void framingHeadersThatCannotBeHonouredAreUsageErrors() throws Exception {
        try (var server = new RecordingServer()) {
            assertThat(run("-H", "Transfer-Encoding: gzip", "-d", "x", "--cacert", ca, server.url("/"))).isEqualTo(
                    new Run(2, "", "ktls-https: a request's Transfer-Encoding must end with chunked (RFC 9112 §6.1), "
                            + "not \"gzip\"\n"));
            assertThat(run("-H", "Content-Length: 3", "-d", "hello", "--cacert", ca, server.url("/"))).isEqualTo(
                    new Run(2, "", "ktls-https: Content-Length: 3 does not match the body's 5 bytes\n"));
            assertThat(run("-H", "Content-Length: 5", "-H", "Transfer-Encoding: chunked", "-d", "hello", "--cacert", ca,
                    server.url("/")).status()).isEqualTo(2);
            assertThat(server.connections).hasValue(0);
        }
    }

    // ---------------------------------------------------------------- local files: before any connection

    /**
     * -d @DIR, or a file that cannot be read (/proc/self/mem fails its first read with EIO, even for
     * root): exit 26, and no connection, so no request head, goes out.
     */
    @Test
    void unreadableDataFileFailsBeforeConnecting(@TempDir Path dir) throws Exception {
        try (var server = new RecordingServer()) {
            assertThat(run("-d", "@" + dir, "--cacert", ca, server.url("/"))).isEqualTo(
                    new Run(26, "", "ktls-https: -d: cannot read file: " + dir + " (is a directory)\n"));
            assertThat(run("-d", "@/proc/self/mem", "--cacert", ca, server.url("/")))
                    .isEqualTo(new Run(26, "", "ktls-https: -d: cannot read file: /proc/self/mem (Input/output error)\n"));
            assertThat(run("-d", "@" + dir.resolve("missing"), "--cacert", ca, server.url("/"))).isEqualTo(
                    new Run(26, "", "ktls-https: -d: cannot read file: " + dir.resolve("missing") + "\n"));
            assertThat(server.connections).hasValue(0);
        }
    }

    /** A --cacert that is not a readable PEM certificate file: exit 77 ("error setting certificate file"), as curl. */
    @Test
    void unusableCaCertIsExit77(@TempDir Path dir) throws Exception {
        Path notPem = Files.writeString(dir.resolve("hostname"), "not a certificate\n");
        try (var server = new RecordingServer()) {
            assertThat(run("--cacert", notPem.toString(), server.url("/"))).extracting(Run::status, Run::out)
                    .containsExactly(77, "");
            assertThat(run("--cacert", notPem.toString(), server.url("/")).err())
                    .startsWith("ktls-https: --cacert: ").contains(notPem.toString()).hasLineCount(1);
            assertThat(run("--cacert", dir.toString(), server.url("/"))).isEqualTo(
                    new Run(77, "", "ktls-https: --cacert: is a directory: " + dir + "\n"));
            assertThat(run("--cacert", dir.resolve("missing").toString(), server.url("/"))).isEqualTo(
                    new Run(77, "", "ktls-https: --cacert: no such file: " + dir.resolve("missing") + "\n"));
            assertThat(server.connections).hasValue(0);
        }
    }

    /** -o - is standard output, as in curl; no file named "-" is created. */
    @Test
    void outputDashIsStandardOutput(@TempDir Path dir) throws Exception {
        Path cwdDash = Path.of("-");
        try (var server = new RecordingServer()) {
            Run r = run("-o", "-", "-d", "abc", "--cacert", ca, server.url("/"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("3");
        }
        assertThat(cwdDash).doesNotExist();
    }

    // ---------------------------------------------------------------- the request line

    /** A URL beyond ASCII goes out percent-encoded as UTF-8, as curl's; its host as IDNA (punycode). */
    @Test
    void nonAsciiUrlIsPercentEncodedAsUtf8() throws Exception {
        try (var server = new RecordingServer()) {
            Run r = run("--cacert", ca, server.url("/caf\u00e9/\u65e5\u672c?q=\u00fc#part"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(server.requests.getFirst().requestLine())
                    .isEqualTo("GET /caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC HTTP/1.1");
        }
        assertThat(CommandLine.url("https://b\u00fccher.example:8443/x").getHost()).isEqualTo("xn--bcher-kva.example");
        assertThat(CommandLine.url("https://b\u00fccher.example:8443/x").getPort()).isEqualTo(8443);
    }

    /** Dot segments are removed from the path (RFC 3986 §5.2.4), as curl does; the query is left alone. */
    @Test
    void dotSegmentsAreRemoved() throws Exception {
        try (var server = new RecordingServer()) {
            Run r = run("--cacert", ca, server.url("/a/./b/../c/%2e%2E/d/..?x=/../y"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(server.requests.getFirst().requestLine()).isEqualTo("GET /a/c/%2e%2E/?x=/../y HTTP/1.1");
        }
        assertThat(CommandLine.removeDotSegments("/../a")).isEqualTo("/a");
        assertThat(CommandLine.removeDotSegments("/a/.")).isEqualTo("/a/");
        assertThat(CommandLine.removeDotSegments("/a//b/../c")).isEqualTo("/a//c");
        assertThat(CommandLine.removeDotSegments("/a/b/../../..")).isEqualTo("/");
        assertThat(CommandLine.removeDotSegments("")).isEmpty();
    }

    /** Methods are case-sensitive (RFC 9110 §9.1): -X get goes out as typed, as curl sends it. */
    @Test
    void methodIsSentAsTyped() throws Exception {
        try (var server = new RecordingServer()) {
            Run r = run("-X", "get", "--cacert", ca, server.url("/"));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(server.requests.getFirst().requestLine()).isEqualTo("get / HTTP/1.1");
        }
    }

    /** -H 'Host:' would send a request without Host (curl's reading), which HTTP/1.1 forbids: a usage error. */
    @Test
    void emptyHostHeaderIsAUsageError() {
        assertThat(run("-H", "Host:", "https://x.test/")).isEqualTo(new Run(2, "", "ktls-https: -H 'Host:' would send "
                + "a request without Host, which HTTP/1.1 requires (RFC 9112 §3.2): give a value, or leave the header "
                + "out for the URL's host\n"));
    }

    // ---------------------------------------------------------------- arguments as typed

    /**
     * -d and -H arguments go out as the bytes typed, as curl sends them, even bytes that are not UTF-8:
     * the JVM would have made each one U+FFFD (here as /proc/self/cmdline has them).
     */
    @Test
    void argumentsAreSentAsTheBytesTyped() throws Exception {
        try (var server = new RecordingServer()) {
            String url = server.url("/");
            List<byte[]> argv = new ArrayList<>();
            for (String a : List.of("java", "-jar", "ktls-https.jar", "--cacert", ca, "-H", "X-A: caf\u00e9", "-d")) {
                argv.add(a.getBytes(StandardCharsets.UTF_8));
            }
            argv.add(new byte[]{'a', (byte) 0xFF, 'b', (byte) 0xC3});
            argv.add(url.getBytes(StandardCharsets.UTF_8));
            var cmdline = new ByteArrayOutputStream();
            argv.forEach(a -> {
                cmdline.writeBytes(a);
                cmdline.write(0);
            });
            String[] decodedByTheJvm = {"--cacert", ca, "-H", "X-A: caf\u00e9", "-d", "a\ufffdb\ufffd", url};

            String[] typed = Arguments.typed(decodedByTheJvm, cmdline.toByteArray());
            Run r = run(typed);

            assertThat(r.status()).as(r.err()).isZero();
            String request = server.requests.getFirst().text();
            assertThat(request).contains("\r\nX-A: caf\u00c3\u00a9\r\n").contains("\r\nContent-Length: 4\r\n")
                    .endsWith("\r\n\r\na\u00ffb\u00c3");
        }
        assertThat(Arguments.typed(new String[]{"-v", "x"}, "java\0-jar\0k.jar\0-v\0y\0".getBytes(StandardCharsets.UTF_8)))
                .as("an ASCII argument that differs: the command line is not what it seems").containsExactly("-v", "x");
        assertThat(Arguments.bytes(Arguments.decode(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80, 'x', (byte) 0xE2, (byte) 0x82})))
                .containsExactly((byte) 0xED, (byte) 0xA0, (byte) 0x80, 'x', (byte) 0xE2, (byte) 0x82);
        assertThat(run("https://x.test/\udcff").status()).isEqualTo(2);
    }

    /** The real thing: a JVM started under LANG=C, whose own decoding would turn every non-ASCII byte into U+FFFD. */
    @Test
    void argumentsAreReadFromProcSelfCmdline() throws Exception {
        try (var server = new RecordingServer()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            var process = new ProcessBuilder("bash", "-c", "exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" "
                    + "dev.ktlsuring.cli.Main --cacert \"$2\" -H \"$(printf 'X-A: caf\\xc3\\xa9')\" "
                    + "-d \"$(printf 'a\\xffb')\" \"$3\"",
                    java, System.getProperty("java.class.path"), ca, server.url("/"))
                    .redirectErrorStream(true);
            process.environment().remove("LANG");
            process.environment().put("LC_ALL", "C");
            Process p = process.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(server.requests.getFirst().text()).contains("\r\nX-A: caf\u00c3\u00a9\r\n")
                    .endsWith("\r\n\r\na\u00ffb");
        }
    }
}
