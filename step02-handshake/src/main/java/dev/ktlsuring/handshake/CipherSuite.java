package dev.ktlsuring.handshake;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static dev.ktlsuring.handshake.BulkCipher.AES_128_GCM;
import static dev.ktlsuring.handshake.BulkCipher.AES_256_GCM;
import static dev.ktlsuring.handshake.BulkCipher.CHACHA20_POLY1305;
import static dev.ktlsuring.handshake.TlsVersion.TLS_1_2;
import static dev.ktlsuring.handshake.TlsVersion.TLS_1_3;

/**
 * The cipher suites this client offers: a chosen subset of those whose record protection the kernel
 * can take over ({@code linux/tls.h} also has AES-CCM, SM4 and ARIA, which common servers rarely
 * offer). CBC and non-ECDHE suites are left out on purpose, since the kernel cannot take CBC over: a
 * server that accepts none of these fails the handshake rather than silently pushing the connection
 * onto a userspace-only path.
 */
public enum CipherSuite {
    TLS_AES_128_GCM_SHA256(0x1301, TLS_1_3, AES_128_GCM),
    TLS_AES_256_GCM_SHA384(0x1302, TLS_1_3, AES_256_GCM),
    TLS_CHACHA20_POLY1305_SHA256(0x1303, TLS_1_3, CHACHA20_POLY1305),
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256(0xC02B, TLS_1_2, AES_128_GCM),
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256(0xC02F, TLS_1_2, AES_128_GCM),
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384(0xC02C, TLS_1_2, AES_256_GCM),
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384(0xC030, TLS_1_2, AES_256_GCM),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256(0xCCA9, TLS_1_2, CHACHA20_POLY1305),
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256(0xCCA8, TLS_1_2, CHACHA20_POLY1305);

    private final int code;
    private final TlsVersion version;
    private final BulkCipher cipher;

    CipherSuite(int code, TlsVersion version, BulkCipher cipher) {
        this.code = code;
        this.version = version;
        this.cipher = cipher;
    }

    /** The IANA code point, as in the ClientHello. */
    public int code() {
        return code;
    }

    /** The only version this suite is defined for (TLS 1.3 suites are not valid in 1.2, and vice versa). */
    public TlsVersion version() {
        return version;
    }

    /** The record cipher. */
    public BulkCipher cipher() {
        return cipher;
    }

    /** The suite with IANA code {@code code}, or an exception for one this client never offers. */
    public static CipherSuite of(int code) {
        for (CipherSuite s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException(String.format("cipher suite 0x%04X is not one this client offers", code));
    }

    /**
     * The suites selected by a name: a full suite name ({@code TLS_AES_128_GCM_SHA256}) or a cipher's
     * short name ({@code aes128gcm}, {@code aes256gcm}, {@code chacha20poly1305}), which selects that
     * cipher's suites in every version.
     */
    public static List<CipherSuite> select(String name) {
        String n = name.strip();
        for (CipherSuite s : values()) {
            if (s.name().equalsIgnoreCase(n)) {
                return List.of(s);
            }
        }
        String shortName = n.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        List<CipherSuite> byCipher = Arrays.stream(values()).filter(s -> s.cipher.shortName().equals(shortName)).toList();
        if (byCipher.isEmpty()) {
            throw new IllegalArgumentException("unknown cipher '" + name + "' (use aes128gcm, aes256gcm, "
                    + "chacha20poly1305 or a suite name such as TLS_AES_128_GCM_SHA256)");
        }
        return byCipher;
    }
}
