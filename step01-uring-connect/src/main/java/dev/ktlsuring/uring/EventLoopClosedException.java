package dev.ktlsuring.uring;

import java.io.IOException;

/** An operation refused or cancelled because its {@link EventLoop} was closed. */
public final class EventLoopClosedException extends IOException {

    public EventLoopClosedException(String message) {
        super(message);
    }
}
