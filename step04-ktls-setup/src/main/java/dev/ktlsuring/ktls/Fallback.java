package dev.ktlsuring.ktls;

/**
 * The kernel declined the record layer, and said why; the socket is as it was after the handshake
 * (an attached but keyless TLS ULP passes bytes through unchanged), so userspace can carry on.
 *
 * @param reason one line for a user, e.g. {@code kernel has no TLS ULP: load the tls module (modprobe
 *               tls) or use a kernel with CONFIG_TLS}
 */
public record Fallback(String reason) implements KtlsOutcome {

    @Override
    public String describe() {
        return "userspace TLS (fallback: " + reason + ")";
    }
}
