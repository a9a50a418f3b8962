package dev.ktlsuring.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** The body could not be written where the command line said (exit 23, curl's "write error"). */
final class OutputFailedException extends IOException {

    OutputFailedException(String message) {
        super(message);
    }

    /** {@code cannot write output file FILE: REASON}, REASON as the operating system gave it. */
    static OutputFailedException of(String file, IOException cause) {
        String reason = switch (cause) {
            case NoSuchFileException e -> "no such file or directory";
            case AccessDeniedException e -> "permission denied";
            case FileSystemException e when e.getReason() != null -> e.getReason().toLowerCase(Locale.ROOT);
            default -> cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        };
        var e = new OutputFailedException("cannot write output file " + file + ": " + reason);
        e.initCause(cause);
        return e;
    }
}
