package dev.ktlsuring.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * An HTTP response, fully read.
 *
 * @param version the HTTP version from the status line ({@code HTTP/1.1})
 * @param status  the three-digit status code
 * @param reason  the reason phrase (may be empty)
 * @param headers the header fields in order of arrival
 * @param body    the body after transfer decoding
 */
public record HttpResponse(String version, int status, String reason, List<Header> headers, byte[] body) {

    public HttpResponse {
        headers = List.copyOf(headers);
    }

    /** {@code HTTP/1.1 200 OK}. */
    public String statusLine() {
        return version + " " + status + (reason.isEmpty() ? "" : " " + reason);
    }

    /** The first value of header {@code name}, ignoring case. */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.is(name)).map(Header::value).findFirst();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
