package dev.ktlsuring.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An HTTP/1.1 request: method, target URI, header fields and an optional body.
 *
 * @param method  GET, POST, PUT, PATCH, DELETE (or any other token; case-sensitive, RFC 9110 §9.1)
 * @param uri     an absolute {@code https://} URI
 * @param headers extra header fields; {@code Host}, {@code Content-Length} and {@code User-Agent} are
 *                added when absent
 * @param body    the body, empty for none
 */
public record HttpRequest(String method, URI uri, List<Header> headers, byte[] body) {

    /** Methods whose requests carry {@code Content-Length} even when the body is empty (RFC 9110 §8.6). */
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    public HttpRequest {
        if (!Header.isToken(method)) {
            throw new IllegalArgumentException("invalid HTTP method: \"" + method + "\"");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URI has no host: " + uri);
        }
        headers = List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** A request without extra headers. */
    public static HttpRequest of(String method, URI uri, byte[] body) {
        return new HttpRequest(method, uri, List.of(), body);
    }

    /** A GET. */
    public static HttpRequest get(URI uri) {
        return of("GET", uri, null);
    }

    // tag::request-head[]
    /** The request line and header section (RFC 9112 §3), ending with the empty line. */
    public byte[] head() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = ascii(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
        List<Header> all = new ArrayList<>();
        if (headers.stream().noneMatch(h -> h.is("Host"))) {
            all.add(new Header("Host", hostHeader()));
        }
        if (headers.stream().noneMatch(h -> h.is("User-Agent"))) {
            all.add(new Header("User-Agent", "ktls-uring-java/0.1"));
        }
        if (headers.stream().noneMatch(h -> h.is("Accept"))) {
            all.add(new Header("Accept", "*/*"));
        }
        if (headers.stream().noneMatch(h -> h.is("Content-Length") || h.is("Transfer-Encoding"))
                && (body.length > 0 || BODY_METHODS.contains(method))) {
            all.add(new Header("Content-Length", Integer.toString(body.length)));
        }
        all.addAll(headers);
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (Header h : all) {
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
    // end::request-head[]

    /**
     * {@code target} with every character outside US-ASCII percent-encoded as its UTF-8 bytes
     * (RFC 3986 §2.5): a {@link URI} may hold such characters, a request line may not (RFC 9112 §3.2).
     */
    private String ascii(String target) {
        int i = 0;
        while (i < target.length() && target.charAt(i) < 0x80) {
            i++;
        }
        if (i == target.length()) {
            return target;
        }
        if (target.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
            // UTF-8 has no bytes for a lone surrogate: the encoder would put a '?' into the target.
            throw new IllegalArgumentException("URI has a character that is not valid Unicode: " + uri);
        }
        var out = new StringBuilder(target.length() + 16).append(target, 0, i);
        for (byte b : target.substring(i).getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** {@code host} or {@code host:port} when the port is not 443; IPv6 literals in brackets. */
    String hostHeader() {
        String host = uri.getHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return uri.getPort() == -1 || uri.getPort() == 443 ? host : host + ":" + uri.getPort();
    }
}
