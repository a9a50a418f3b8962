package dev.ktlsuring.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads HTTP/1.1 responses (RFC 9112) from a {@link ByteSource}, strictly: a response is returned only
 * when its body is complete by its own framing; everything else is an {@link HttpProtocolException}
 * or a {@link TruncatedResponseException}.
 */
public final class ResponseReader {

    private static final Pattern VERSION = Pattern.compile("HTTP/1\\.[01]"), STATUS = Pattern.compile("[1-9][0-9]{2}");

    /** Upper bounds on what a server may make this client buffer. */
    public static final int MAX_HEADER_SECTION = 64 * 1024, MAX_HEADERS = 256;

    private final ByteSource source;
    private final long maxBody;
    /**
     * Room for four full TLS records: under kTLS one {@code recvmsg} returns as many decrypted records
     * as are queued and fit, and the kernel decrypts straight into the buffer only if the whole record
     * fits in what is left of it ({@code tls_sw_recvmsg}).
     */
    private final byte[] buffer = new byte[64 * 1024];
    private int position, limit;
    private boolean eof, reusable;

    public ResponseReader(ByteSource source, long maxBody) {
        this.source = source;
        this.maxBody = maxBody;
    }

    // tag::read-response[]
    /**
     * Reads the next final response to a request with {@code method}, skipping interim 1xx responses.
     */
    public HttpResponse read(String method) throws IOException {
        return read(method, head -> null);
    }

    /**
     * Like {@link #read(String)}, but once the header section is in, asks {@code sinkFor} where the
     * body goes: a stream (no size limit; the returned response's body is then empty), or
     * {@code null} to keep it in memory.
     */
    public HttpResponse read(String method, Function<HttpResponse, OutputStream> sinkFor) throws IOException {
        while (true) {
            Head head = readHead();
            if (head.status >= 100 && head.status < 200 && head.status != 101) {
                continue;                                      // 100 Continue, 103 Early Hints
            }
            OutputStream sink = sinkFor.apply(new HttpResponse(head.version, head.status, head.reason, head.headers,
                    new byte[0]));
            BodyBuffer memory = sink == null ? new BodyBuffer(sizeHint(head)) : null;
            Body out = sink == null ? new Body(memory, maxBody) : new Body(sink, Long.MAX_VALUE);
            readBody(method, head, out);
            byte[] body = sink == null ? memory.bytes() : new byte[0];
            reusable = reusable && head.version.equals("HTTP/1.1")
                    && head.values("Connection").stream().noneMatch(v -> v.equalsIgnoreCase("close"));
            return new HttpResponse(head.version, head.status, head.reason, head.headers, body);
        }
    }
    // end::read-response[]

    /** Whether the connection may carry another request after the last response (keep-alive). */
    public boolean reusable() {
        return reusable && !eof;
    }

    /** Bytes received but not yet consumed: after a complete response, a server sending more than it framed. */
    public int buffered() {
        return limit - position;
    }

    // tag::body-framing[]
    /** The body's length is decided in this order (RFC 9112 §6.3). */
    private void readBody(String method, Head head, Body body) throws IOException {
        reusable = true;
        if (method.equalsIgnoreCase("HEAD") || head.status == 204 || head.status == 304) {
            return;
        }
        List<String> transferEncoding = head.values("Transfer-Encoding");
        if (!transferEncoding.isEmpty()) {
            String last = transferEncoding.getLast();
            String[] codings = last.split(",");
            if (!codings[codings.length - 1].trim().equalsIgnoreCase("chunked")) {
                reusable = false;
                readUntilClose(body);
                return;
            }
            if (!head.values("Content-Length").isEmpty()) {
                reusable = false;                              // §6.3 item 3: smuggling risk, don't reuse
            }
            readChunked(body);
            return;
        }
        List<String> lengths = head.values("Content-Length");
        if (!lengths.isEmpty()) {
            readExactly(contentLength(lengths, body.limit), body);
            return;
        }
        reusable = false;
        readUntilClose(body);
    }
    // end::body-framing[]

    private long contentLength(List<String> values, long maxBody) throws HttpProtocolException {
        long length = -1;
        for (String value : values) {
            for (String part : value.split(",")) {
                String digits = part.trim();
                if (!isDecimal(digits, 18)) {
                    throw new HttpProtocolException("invalid Content-Length: \"" + value + "\"");
                }
                long n = Long.parseLong(digits);
                if (length != -1 && n != length) {
                    throw new HttpProtocolException("conflicting Content-Length values: " + values);
                }
                length = n;
            }
        }
        if (length > maxBody) {
            throw new HttpProtocolException("response body of " + length + " bytes exceeds the limit of " + maxBody);
        }
        return length;
    }

    private void readExactly(long length, Body body) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            if (position == limit && !fill()) {
                throw new TruncatedResponseException("response truncated: got " + (length - remaining) + " of "
                        + length + " body bytes (Content-Length) before the connection closed");
            }
            int n = (int) Math.min(remaining, limit - position);
            body.write(buffer, position, n);
            position += n;
            remaining -= n;
        }
    }

    private void readUntilClose(Body body) throws IOException {
        while (position < limit || fill()) {
            body.write(buffer, position, limit - position);
            position = limit;
        }
        if (!source.endIsAuthentic()) {
            throw new TruncatedResponseException("response body ends with the connection, but the connection closed "
                    + "without TLS close_notify after " + body.size + " bytes: it may be truncated");
        }
    }

    // tag::chunked[]
    /** chunked transfer coding (RFC 9112 §7.1): hex size [; extensions] CRLF data CRLF … 0 CRLF trailers CRLF. */
    private void readChunked(Body body) throws IOException {
        while (true) {
            String line = readLine("chunk size");
            int semicolon = line.indexOf(';');
            String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new HttpProtocolException("invalid chunk size: \"" + abbreviate(line) + "\"");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                while (!readLine("trailer").isEmpty()) {
                    // trailer fields are not used
                }
                return;
            }
            for (long remaining = size; remaining > 0; ) {
                if (position == limit && !fill()) {
                    throw new TruncatedResponseException("response truncated inside a chunk: the connection closed "
                            + "after " + body.size + " body bytes, before the last chunk");
                }
                int n = (int) Math.min(remaining, limit - position);
                body.write(buffer, position, n);
                position += n;
                remaining -= n;
            }
            if (!readLine("chunk end").isEmpty()) {
                throw new HttpProtocolException("chunk data longer than its size " + size);
            }
        }
    }
    // end::chunked[]

    /** Status line and header fields (RFC 9112 §2–§5). */
    private Head readHead() throws IOException {
        if (position == limit && !fill()) {
            throw new TruncatedResponseException("the server closed the connection without sending a response");
        }
        int start = consumedTotal;
        String statusLine = readLine("status line");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !VERSION.matcher(parts[0]).matches() || !STATUS.matcher(parts[1]).matches()) {
            throw new HttpProtocolException("malformed status line: \"" + abbreviate(statusLine) + "\"");
        }
        Head head = new Head(parts[0], Integer.parseInt(parts[1]), parts.length == 3 ? parts[2] : "", new ArrayList<>());
        for (String line; !(line = readLine("header")).isEmpty(); ) {
            if (consumedTotal - start > MAX_HEADER_SECTION) {
                throw new HttpProtocolException("response header section exceeds " + MAX_HEADER_SECTION + " bytes");
            }
            if (head.headers.size() == MAX_HEADERS) {
                throw new HttpProtocolException("response has more than " + MAX_HEADERS + " header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new HttpProtocolException("malformed header field (no name or colon): \"" + abbreviate(line) + "\"");
            }
            String name = line.substring(0, colon);
            if (!Header.isToken(name)) {
                throw new HttpProtocolException("malformed header field name: \"" + abbreviate(name) + "\"");
            }
            String value = line.substring(colon + 1).strip();
            if (value.indexOf('\r') >= 0) {
                // RFC 9112 §2.2: a bare CR is invalid; a Header would refuse it with an unchecked exception.
                throw new HttpProtocolException("malformed header field value (bare CR): \"" + abbreviate(line) + "\"");
            }
            head.headers.add(new Header(name, value));
        }
        return head;
    }

    private int consumedTotal;

    /** One line ending in CRLF (a bare LF is accepted, RFC 9112 §2.2), without its ending. */
    private String readLine(String what) throws IOException {
        var line = new StringBuilder();
        while (true) {
            if (position == limit && !fill()) {
                throw new TruncatedResponseException("response truncated: the connection closed in the " + what);
            }
            byte b = buffer[position++];
            consumedTotal++;
            if (b == '\n') {
                int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r') {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            if (b == 0) {
                throw new HttpProtocolException("NUL byte in the " + what);
            }
            line.append((char) (b & 0xff));
            if (line.length() > MAX_HEADER_SECTION) {
                throw new HttpProtocolException("the " + what + " exceeds " + MAX_HEADER_SECTION + " bytes");
            }
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = source.read(buffer, 0, buffer.length);
        if (n < 0) {
            eof = true;
            position = limit = 0;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 57) + "...";
    }

    /** Where body bytes go, counting them against a limit. */
    private static final class Body {
        final OutputStream sink;
        final long limit;
        long size;

        Body(OutputStream sink, long limit) {
            this.sink = sink;
            this.limit = limit;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            if (size + length > limit) {
                throw new HttpProtocolException("response body exceeds the limit of " + limit + " bytes");
            }
            sink.write(bytes, offset, length);
            size += length;
        }
    }

    /**
     * The body's size if a single Content-Length announces it, capped: a first allocation of the
     * right size saves growing and copying, but a hostile length must not reserve memory up front.
     */
    private static int sizeHint(Head head) {
        List<String> lengths = head.values("Content-Length");
        String value = lengths.size() == 1 ? lengths.getFirst().trim() : "";
        if (!isDecimal(value, 7)) {
            return BodyBuffer.INITIAL;
        }
        return Math.min(Integer.parseInt(value), BodyBuffer.MAX_HINT);
    }

    /** Whether {@code s} is 1 to {@code maxDigits} decimal digits (no sign, no spaces). */
    private static boolean isDecimal(String s, int maxDigits) {
        return !s.isEmpty() && s.length() <= maxDigits && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A body kept in memory: one array, handed out as it is when the body filled it exactly. */
    private static final class BodyBuffer extends OutputStream {
        static final int INITIAL = 8 * 1024, MAX_HINT = 1 << 20;
        private byte[] bytes;
        private int count;

        BodyBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] source, int offset, int length) throws IOException {
            if (count + length > bytes.length) {
                long needed = count + (long) length;
                if (needed > MAX_ARRAY) {
                    throw new HttpProtocolException("response body of more than " + MAX_ARRAY
                            + " bytes does not fit in memory; stream it to a sink instead");
                }
                bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * bytes.length)));
            }
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        byte[] bytes() {
            return count == bytes.length ? bytes : Arrays.copyOf(bytes, count);
        }
    }

    private record Head(String version, int status, String reason, List<Header> headers) {
        List<String> values(String name) {
            List<String> values = new ArrayList<>(1);
            for (Header h : headers) {
                if (h.is(name)) {
                    values.add(h.value());
                }
            }
            return values;
        }
    }
}
