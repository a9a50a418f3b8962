package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.ktls.abi.tls_h;
import dev.ktlsuring.secrets.SessionKeys;
import dev.ktlsuring.secrets.TrafficKeys;
import dev.ktlsuring.uring.Errno;
import dev.ktlsuring.uring.SystemCalls;
import dev.ktlsuring.uring.UringSocket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Step 4: hands the record layer of an established TLS connection to the kernel (kTLS).
 *
 * <p>Two socket options do it ({@code Documentation/networking/tls.rst}): {@code TCP_ULP "tls"}
 * attaches the TLS "upper layer protocol" to the TCP socket, and {@code SOL_TLS}/{@code TLS_RX} and
 * {@code TLS_TX} give it each direction's keys, IV and next sequence number. From then on the process
 * reads and writes plaintext; the kernel seals and opens the records.
 */
public final class KernelTls {

    /** What {@code TCP_ULP} reports when the kernel has no {@code tls} module. */
    public static final String NO_ULP =
            "kernel has no TLS ULP: load the tls module (modprobe tls) or use a kernel with CONFIG_TLS";

    private KernelTls() {
    }

    // tag::enable[]
    /**
     * Attaches the TLS ULP and installs both directions' keys.
     *
     * <p>The keys' sequence numbers must be the next ones in each direction, userspace must have read
     * no byte past the last record it processed, and the client's last handshake record must already
     * be on the wire: step 2's record transport guarantees all three. The kernel's copies of the keys
     * are wiped here; the caller still owns (and closes) {@code keys}.
     *
     * @return {@link KtlsEnabled}, or {@link Fallback} with the kernel's reason when it declined before
     *         anything changed on the socket
     * @throws IOException if the kernel took one direction and refused the other: neither the kernel
     *                     nor userspace can then carry the connection on
     */
    public static KtlsOutcome enable(UringSocket socket, SessionKeys keys) throws IOException {
        int fd = socket.fd();
        try (Arena arena = Arena.ofConfined()) {
            int error = SystemCalls.trySetsockopt(fd, SOL_TCP, tls_h.TCP_ULP(), arena.allocateFrom("tls"));
            if (Errno.ENOTCONN.isErrno(error)) {
                // The peer has already closed: a connection problem, not a kernel that lacks kTLS.
                throw Errno.exception("setsockopt TCP_ULP", error,
                        "the connection was closed before kTLS could be set up");
            }
            if (error != 0) {
                return new Fallback(ulpRefused(error));
            }
            KtlsOutcome outcome = installKeys(fd, keys, arena, SystemCalls::trySetsockopt);
            if (outcome instanceof KtlsEnabled enabled && enabled.version() == TlsVersion.TLS_1_3) {
                expectNoPadding(fd, arena);
            }
            return outcome;
        }
    }

    /**
     * Lets the kernel decrypt TLS 1.3 records straight into the reader's buffer
     * ({@code TLS_RX_EXPECT_NO_PAD}, Linux 6.0). A TLS 1.3 record hides its type and padding inside
     * the ciphertext (RFC 8446 §5.2), so without this the kernel decrypts into its own buffer first
     * and copies; TLS 1.2 records go straight to the reader anyway. A padded record is still read
     * right: the kernel sees the padding after decrypting and decrypts that record again
     * ({@code TlsRxNoPadViolation} in {@code /proc/net/tls_stat}). That second pass is why
     * {@code tls.rst} asks for a trusted peer; for a client it costs at most twice the decryption of
     * what the server chose to send. Older kernels refuse the option, and records are read as before.
     */
    private static void expectNoPadding(int fd, Arena arena) {
        SystemCalls.trySetsockopt(fd, tls_h.SOL_TLS(), tls_h.TLS_RX_EXPECT_NO_PAD(), arena.allocateFrom(JAVA_INT, 1));
    }

    /**
     * Gives the kernel the receive keys, then the transmit keys. The structs passed hold the keys and
     * the kernel keeps its own copies, so they are wiped whatever the outcome: freed native memory is
     * not cleared, and the next allocation to reuse it could read them.
     */
    static KtlsOutcome installKeys(int fd, SessionKeys keys, Arena arena, SocketOptions setsockopt) throws IOException {
        // Receive first: kernels from 4.13 to 4.16 had kTLS for TX only, and a refusal here still
        // leaves the socket untouched (a ULP without keys passes bytes through unchanged).
        CryptoInfo rx = CryptoInfo.encode(keys.receive(), arena);
        CryptoInfo tx = CryptoInfo.encode(keys.transmit(), arena);
        try {
            int error = setsockopt.set(fd, tls_h.SOL_TLS(), tls_h.TLS_RX(), rx.struct());
            if (error != 0) {
                return new Fallback(keysRefused("TLS_RX", error, keys.receive()));
            }
            error = setsockopt.set(fd, tls_h.SOL_TLS(), tls_h.TLS_TX(), tx.struct());
            if (error != 0) {
                throw new IOException("kTLS: the kernel took TLS_RX but refused TLS_TX ("
                        + keysRefused("TLS_TX", error, keys.transmit()) + "); the connection cannot go on");
            }
        } finally {
            rx.wipe();
            tx.wipe();
        }
        return new KtlsEnabled(keys.transmit().version(), keys.transmit().cipher());
    }

    /** {@code setsockopt(2)}: 0 or an errno. A parameter of {@link #installKeys}, so that tests can see what it was given. */
    @FunctionalInterface
    interface SocketOptions {
        int set(int fd, int level, int name, MemorySegment value);
    }
    // end::enable[]

    /** {@code SOL_TCP}, the level of {@code TCP_ULP} (same as {@code IPPROTO_TCP}). */
    private static final int SOL_TCP = 6;

    // tag::reasons[]
    /** Why {@code setsockopt(TCP_ULP, "tls")} failed, in words a user can act on. */
    static String ulpRefused(int errno) {
        if (Errno.ENOENT.isErrno(errno)) {
            // The kernel looks the ULP up by name and tries to load "tcp-ulp-tls" (needs CAP_NET_ADMIN).
            return NO_ULP;
        }
        if (Errno.EEXIST.isErrno(errno)) {
            return "setsockopt TCP_ULP tls: EEXIST (a ULP is already attached to this socket)";
        }
        if (Errno.ENOPROTOOPT.isErrno(errno)) {
            return "setsockopt TCP_ULP tls: ENOPROTOOPT (kernel has no TCP upper-layer protocols; it predates 4.13)";
        }
        return "setsockopt TCP_ULP tls: " + Errno.nameOf(errno);
    }

    /** Why {@code setsockopt(SOL_TLS, TLS_RX | TLS_TX)} failed. */
    static String keysRefused(String direction, int errno, TrafficKeys keys) {
        String what = "setsockopt SOL_TLS " + direction + " " + keys.version() + " " + keys.cipher() + ": "
                + Errno.nameOf(errno);
        if (Errno.EINVAL.isErrno(errno) || Errno.ENOPROTOOPT.isErrno(errno) || Errno.EOPNOTSUPP.isErrno(errno)) {
            return what + " (this kernel does not support " + keys.version() + " with " + keys.cipher()
                    + "; it needs Linux " + minimumKernel(direction, keys.version(), keys.cipher()) + ")";
        }
        return what;
    }

    /** The first kernel version with kTLS for this direction, version and cipher (from the kernel's history). */
    static String minimumKernel(String direction, TlsVersion version, BulkCipher cipher) {
        if (cipher == BulkCipher.CHACHA20_POLY1305) {
            return "5.11";
        }
        if (version == TlsVersion.TLS_1_3 || cipher == BulkCipher.AES_256_GCM) {
            return "5.1";
        }
        return direction.equals("TLS_RX") ? "4.17" : "4.13";
    }
    // end::reasons[]

    /** Whether this kernel lists the {@code tls} ULP as loaded ({@code /proc/sys/net/ipv4/tcp_available_ulp}). */
    public static boolean ulpAvailable() {
        try {
            String ulps = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_available_ulp"));
            return Arrays.asList(ulps.trim().split("\\s+")).contains("tls");
        } catch (IOException e) {
            return false;
        }
    }
}
