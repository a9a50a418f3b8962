package dev.ktlsuring.http;

/**
 * The connection ended before the response did: never reported as success, because a truncated body
 * is silently wrong data (and without close_notify, possibly an attacker's doing, RFC 8446 §6.1).
 */
public class TruncatedResponseException extends HttpProtocolException {
    public TruncatedResponseException(String message) {
        super(message);
    }
}
