package dev.ktlsuring.http;

/**
 * The connection ended before a single byte of the response: an empty reply (curl's exit 52), not a
 * response cut short. On a kept-alive connection, the sign of a server that closed it while idle.
 */
public class EmptyResponseException extends TruncatedResponseException {
    public EmptyResponseException(String message) {
        super(message);
    }
}
