package dev.ktlsuring.http;

import java.io.IOException;

/** The server's response breaks HTTP/1.1 (RFC 9112): malformed status line, header or chunk, or over a limit. */
public class HttpProtocolException extends IOException {
    public HttpProtocolException(String message) {
        super(message);
    }
}
