package dev.ktlsuring.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads HTTP/1.1 responses (RFC 9112) from a {@link ByteSource}, strictly: a response is returned only
 * when its body is complete by its own framing; everything else is an {@link HttpProtocolException}
 * or a {@link TruncatedResponseException}.
 */
public final class ResponseReader {

    /**
     * Any HTTP/1 minor version: RFC 9110 §2.5 has a recipient process a higher minor version than it
     * implements as the highest it does (here 1.1).
     */
    private static final Pattern VERSION = Pattern.compile("HTTP/1\\.[0-9]"), STATUS = Pattern.compile("[1-9][0-9]{2}");
    /** Significant hex digits of the largest chunk size taken: 2^60 - 1, far beyond any body limit, and no overflow. */
    private static final int MAX_CHUNK_SIZE_DIGITS = 15;

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
     * Like {@link #read(String)}, but once the header section is in, asks {@code heads} where the body
     * goes: a stream (no size limit; the returned response's body is then empty), or {@code null} to
     * keep it in memory; and tells it of each interim response. A {@code 101 Switching Protocols} to a
     * request that asked for it ends the exchange: it is returned as the final response, with no body,
     * and the connection is not reusable (what follows is another protocol); to any other request it
     * is malformed.
     */
    public HttpResponse read(String method, Heads heads) throws IOException {
        while (true) {
            Head head = readHead();
            HttpResponse response = new HttpResponse(head.version, head.status, head.reason, head.headers, new byte[0]);
            if (head.status >= 100 && head.status < 200 && head.status != 101) {
                heads.interim(response);                       // 100 Continue, 103 Early Hints
                continue;
            }
            if (head.status == 101 && !heads.upgradeRequested()) {
                // RFC 9110 §15.2.2: a server MUST NOT switch to a protocol the request did not ask for.
                reusable = false;
                throw new HttpProtocolException("the server switched protocols (101) though the request asked for no "
                        + "upgrade: \"" + abbreviate(response.statusLine()) + "\"");
            }
            OutputStream sink = heads.bodySink(response);
            BodyBuffer memory = sink == null ? new BodyBuffer(sizeHint(head)) : null;
            Body out = sink == null ? new Body(memory, maxBody) : new Body(sink, Long.MAX_VALUE);
            readBody(method, head, out);
            byte[] body = sink == null ? memory.bytes() : new byte[0];
            reusable = reusable && !head.version.equals("HTTP/1.0")
                    && head.values("Connection").stream().noneMatch(v -> v.equalsIgnoreCase("close"));
            return new HttpResponse(head.version, head.status, head.reason, head.headers, body);
        }
    }
    // end::read-response[]

    /** What a {@link ResponseReader} tells its caller as the heads of a response arrive. */
    public interface Heads {
        /** The final response's head: returns where its body goes, or {@code null} to keep it in memory. */
        OutputStream bodySink(HttpResponse head) throws IOException;

        /** An interim (1xx) response, which has no body; by default ignored. */
        default void interim(HttpResponse head) throws IOException {
        }

        /**
         * Whether the request asked to switch protocols ({@code Upgrade}, RFC 9110 §7.8); if not, a
         * {@code 101} is refused as malformed. By default false.
         */
        default boolean upgradeRequested() {
            return false;
        }
    }

    /**
     * After a complete response, drops whatever arrived beyond its framing and marks the connection
     * as not reusable (RFC 9112 §6.3 lets a client discard such data; it is never taken for the next
     * response). For a caller with one request outstanding: pipelined responses would look the same.
     *
     * @return the number of bytes dropped, 0 if none
     */
    public int discardExcess() {
        int excess = limit - position;
        if (excess > 0) {
            position = limit;
            reusable = false;
        }
        return excess;
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
        if (head.status == 101) {
            reusable = false;                                  // the connection now speaks another protocol
            return;
        }
        if (method.equals("HEAD") || head.status == 204 || head.status == 304) {   // methods are case-sensitive (RFC 9110 §9.1)
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
                String digits = withoutOws(part);
                if (!isDecimal(digits, 18)) {
                    throw new HttpProtocolException("invalid Content-Length: \"" + abbreviate(value) + "\"");
                }
                long n = Long.parseLong(digits);
                if (length != -1 && n != length) {
                    throw new HttpProtocolException("conflicting Content-Length values: " + abbreviate(values.toString()));
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
            long size = chunkSize(line);
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

    /**
     * The size on a chunk-size line: {@code 1*HEXDIG}, then optional whitespace and chunk extensions
     * (RFC 9112 §7.1.1, whose BWS allows SP and HTAB before the {@code ;}). Nothing may come before
     * the digits; leading zeros are digits like any other.
     */
    private static long chunkSize(String line) throws HttpProtocolException {
        int end = 0;
        while (end < line.length() && isHexDigit(line.charAt(end))) {
            end++;
        }
        int rest = end;
        while (rest < line.length() && (line.charAt(rest) == ' ' || line.charAt(rest) == '\t')) {
            rest++;
        }
        if (end == 0 || rest < line.length() && line.charAt(rest) != ';') {
            throw new HttpProtocolException("invalid chunk size: \"" + abbreviate(line) + "\"");
        }
        int first = 0;
        while (first < end - 1 && line.charAt(first) == '0') {
            first++;
        }
        if (end - first > MAX_CHUNK_SIZE_DIGITS) {
            throw new HttpProtocolException("chunk size too large: \"" + abbreviate(line) + "\"");
        }
        return Long.parseLong(line, first, end, 16);
    }

    /** {@code s} without leading and trailing OWS: SP and HTAB only (RFC 9110 §5.6.3), not other control characters. */
    private static String withoutOws(String s) {
        int start = 0, end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** Status line and header fields (RFC 9112 §2–§5). */
    private Head readHead() throws IOException {
        if (position == limit && !fill()) {
            throw new EmptyResponseException("the server closed the connection without sending a response");
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
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                // obs-fold (RFC 9112 §5.2): a user agent replaces it with SP. Before any field there is
                // nothing to continue, and §2.2 has such a line rejected.
                if (head.headers.isEmpty()) {
                    throw new HttpProtocolException("malformed header section: whitespace before the first header "
                            + "field: \"" + abbreviate(line) + "\"");
                }
                Header last = head.headers.removeLast();
                String more = withoutOws(line);
                if (more.indexOf('\r') >= 0) {
                    throw new HttpProtocolException("malformed header field value (bare CR): \"" + abbreviate(line) + "\"");
                }
                head.headers.add(new Header(last.name(), last.value().isEmpty() ? more
                        : more.isEmpty() ? last.value() : last.value() + " " + more));
                continue;
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
            String value = withoutOws(line.substring(colon + 1));
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
