package dev.ktlsuring.uring;

import java.io.IOException;

/**
 * Thrown when the kernel refuses to create an io_uring at all: built without it (ENOSYS), switched off
 * by {@code kernel.io_uring_disabled}, or blocked by a seccomp policy such as a container runtime's
 * default profile (EPERM).
 */
public final class UringUnavailableException extends IOException {

    UringUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    static IOException from(IOException setupFailure) {
        String message = setupFailure.getMessage();
        if (message.contains("ENOSYS")) {
            return new UringUnavailableException(
                    "io_uring is not available: this kernel has no io_uring_setup (ENOSYS)", setupFailure);
        }
        if (message.contains("EPERM") || message.contains("EACCES")) {
            String sysctl = IoUring.disabledSysctl();
            String why = sysctl != null && !sysctl.equals("0")
                    ? "kernel.io_uring_disabled=" + sysctl + " (set it to 0, or 1 and join io_uring_group)"
                    : "blocked by a seccomp policy or a security module (a container runtime's default profile does this)";
            return new UringUnavailableException("io_uring is not permitted: " + why + " (" + message + ")", setupFailure);
        }
        return setupFailure;
    }
}
