package dev.ktlsuring.client;

import dev.ktlsuring.http.Header;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTPS request: method, absolute {@code https://} URI, extra header fields, a body, and optionally
 * its own time limit for the whole exchange ({@code null}: the client's {@link ClientOptions#timeout()}).
 */
public record Request(String method, URI uri, List<Header> headers, RequestBody body, Duration timeout) {

    /** A request under the client's time limit. */
    public Request(String method, URI uri, List<Header> headers, RequestBody body) {
        this(method, uri, headers, body, null);
    }

    public Request {
        method = method.toUpperCase(Locale.ROOT);
        if (!Header.isToken(method)) {
            throw new IllegalArgumentException("invalid HTTP method: \"" + method + "\"");
        }
        headers = List.copyOf(headers);
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
