package dev.ktlsuring.client;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * The request's body could not be read from its source (a file or a stream): a local failure, not the
 * server's. The connection it was going out on is closed, never reused: the server may have part of it.
 */
public final class RequestBodyException extends IOException {

    RequestBodyException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Why {@code e} happened, in words (the operating system's where it gave some). */
    static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file";
            case AccessDeniedException x -> "permission denied";
            case FileSystemException x when x.getReason() != null -> x.getReason().toLowerCase(Locale.ROOT);
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }
}
