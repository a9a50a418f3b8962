package dev.ktlsuring.cli;

import dev.ktlsuring.handshake.JdkTlsServer;
import dev.ktlsuring.handshake.TestPki;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDK's TLS server on 127.0.0.1, recording each request exactly as its bytes arrived: the head,
 * then the body as the head frames it (Content-Length or chunked), so that a test sees whether the
 * head announced what followed. Answers {@code 200} with the body's decoded length, then closes.
 */
final class RecordingServer implements AutoCloseable {

    /** One request: its bytes as received, and its body once decoded. */
    record Recorded(byte[] raw, byte[] body) {
        String text() {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }

        String requestLine() {
            return text().substring(0, text().indexOf("\r\n"));
        }
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length: *([0-9]+)\r\n");

    private final JdkTlsServer server;
    final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Connections accepted, whether or not a request came on them. */
    final AtomicInteger connections = new AtomicInteger();

    RecordingServer() throws IOException {
        server = new JdkTlsServer(TestPki.shared().leaf(TestPki.KeyType.EC), "TLSv1.3", "TLS_AES_128_GCM_SHA256", socket -> {
            connections.incrementAndGet();
            InputStream in = socket.getInputStream();
            byte[] head = JdkTlsServer.readRequestHead(in);
            if (head == null) {
                return;
            }
            var raw = new ByteArrayOutputStream();
            var body = new ByteArrayOutputStream();
            raw.writeBytes(head);
            String lower = new String(head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            Matcher length = CONTENT_LENGTH.matcher(lower);
            if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
                readChunked(in, raw, body);
            } else if (length.find()) {
                byte[] bytes = in.readNBytes(Integer.parseInt(length.group(1)));
                raw.writeBytes(bytes);
                body.writeBytes(bytes);
            }
            requests.add(new Recorded(raw.toByteArray(), body.toByteArray()));
            String text = Integer.toString(body.size());
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + text.length()
                    + "\r\n\r\n" + text).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        });
    }

    private static void readChunked(InputStream in, ByteArrayOutputStream raw, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line(in, raw);
            int n = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (n == 0) {
                while (!line(in, raw).isEmpty()) {
                    // trailers
                }
                return;
            }
            byte[] data = in.readNBytes(n);
            raw.writeBytes(data);
            body.writeBytes(data);
            line(in, raw);
        }
    }

    private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
        var line = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            raw.write(b);
            if (b == '\n') {
                return line.toString().strip();
            }
            line.append((char) b);
        }
        throw new EOFException("the request ended inside a chunked body");
    }

    int port() {
        return server.port();
    }

    String url(String path) {
        return "https://localhost:" + port() + path;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
