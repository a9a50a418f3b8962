package dev.ktlsuring.client;

import dev.ktlsuring.http.Header;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTPS request: method, absolute {@code https://} URI, extra header fields, a body, and optionally
 * its own time limit for the whole exchange ({@code null}: the client's {@link ClientOptions#timeout()}).
 *
 * <p>The method is sent as given: methods are case-sensitive (RFC 9110 §9.1), so {@code get} is not
 * {@code GET}. The body's framing is the client's business, but a caller may choose it with a header:
 * {@code Transfer-Encoding} ending in {@code chunked} has the body chunk-encoded, and
 * {@code Content-Length} must equal the length of a body in memory (of a file or stream, exactly that
 * many bytes are sent). A request that could not be framed as its headers say is refused here.
 */
public record Request(String method, URI uri, List<Header> headers, RequestBody body, Duration timeout) {

    /** A request under the client's time limit. */
    public Request(String method, URI uri, List<Header> headers, RequestBody body) {
        this(method, uri, headers, body, null);
    }

    public Request {
        if (!Header.isToken(method)) {
            throw new IllegalArgumentException("invalid HTTP method: \"" + method + "\"");
        }
        headers = List.copyOf(headers);
        checkFraming(headers, body);
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not an https:// URL: " + uri);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("URL has no host: " + uri);
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("URL port " + uri.getPort() + " is out of range (1-65535): " + uri);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("request timeout must be positive: " + timeout);
        }
    }

    /** Refuses framing headers that do not describe one body, or not this one (RFC 9112 §6). */
    private static void checkFraming(List<Header> headers, RequestBody body) {
        List<String> codings = headers.stream().filter(h -> h.is("Transfer-Encoding")).map(Header::value).toList();
        List<String> lengths = headers.stream().filter(h -> h.is("Content-Length")).map(Header::value).toList();
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                throw new IllegalArgumentException("a request cannot carry both Transfer-Encoding and Content-Length "
                        + "(RFC 9112 §6.2)");
            }
            String last = codings.getLast();
            String finalCoding = last.substring(last.lastIndexOf(',') + 1).strip();
            if (!finalCoding.equalsIgnoreCase("chunked")) {
                throw new IllegalArgumentException("a request's Transfer-Encoding must end with chunked "
                        + "(RFC 9112 §6.1), not \"" + last + "\"");
            }
            return;
        }
        if (lengths.isEmpty()) {
            return;
        }
        String length = lengths.getFirst().strip();
        if (lengths.stream().anyMatch(l -> !l.strip().equals(length)) || !length.matches("[0-9]{1,18}")) {
            throw new IllegalArgumentException("invalid Content-Length for a request: " + lengths);
        }
        if (body instanceof RequestBody.Bytes b && Long.parseLong(length) != b.bytes().length) {
            throw new IllegalArgumentException("Content-Length: " + length + " does not match the body's "
                    + b.bytes().length + " bytes");
        }
    }

    /** Whether the caller asked for chunked transfer coding ({@code Transfer-Encoding}). */
    boolean chunked() {
        return headers.stream().anyMatch(h -> h.is("Transfer-Encoding"));
    }

    /** The caller's {@code Content-Length}, or -1 if it gave none. */
    long contentLength() {
        return headers.stream().filter(h -> h.is("Content-Length")).findFirst()
                .map(h -> Long.parseLong(h.value().strip())).orElse(-1L);
    }

    /** A GET of {@code uri}. */
    public static Request get(URI uri) {
        return new Request("GET", uri, List.of(), RequestBody.EMPTY);
    }

    /** {@code method uri} with a body held in memory. */
    public static Request of(String method, URI uri, byte[] body) {
        return new Request(method, uri, List.of(), RequestBody.of(body));
    }

    /** This request with one more header field. */
    public Request withHeader(String name, String value) {
        List<Header> more = new ArrayList<>(headers);
        more.add(new Header(name, value));
        return new Request(method, uri, more, body, timeout);
    }

    /** This request with its own limit for the whole exchange, connect and handshake included. */
    public Request withTimeout(Duration newTimeout) {
        return new Request(method, uri, headers, body, newTimeout);
    }

    /** The port, 443 when the URI names none. */
    public int port() {
        return uri.getPort() == -1 ? 443 : uri.getPort();
    }

    /** The host without IPv6 brackets. */
    public String host() {
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
