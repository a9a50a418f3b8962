package dev.ktlsuring.client;

import java.io.IOException;

/** A request refused, or failed in flight, because its {@link HttpsClient} was closed. */
public final class ClientClosedException extends IOException {

    public ClientClosedException(String message) {
        super(message);
    }
}
