package dev.ktlsuring.fallback;

/** Who protects the records after the handshake. */
public enum TlsMode {
    /** The kernel when it can, else userspace, saying why. */
    AUTO,
    /** The kernel, or fail. */
    KTLS,
    /** Userspace, even where the kernel could. */
    USERSPACE
}
