package dev.ktlsuring.cli;

import java.io.IOException;

/**
 * A file named on the command line cannot be used: a {@code -d @FILE} that cannot be read (exit 26), a
 * {@code --cacert} that is not a readable PEM certificate file (exit 77). Found before any connection.
 */
final class LocalFileException extends IOException {

    final ExitStatus status;

    LocalFileException(String message, ExitStatus status) {
        super(message);
        this.status = status;
    }
}
