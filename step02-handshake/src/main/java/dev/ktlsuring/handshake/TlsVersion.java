package dev.ktlsuring.handshake;

import org.bouncycastle.tls.ProtocolVersion;

/** The TLS versions this client speaks: the two whose record layer the kernel can take over. */
public enum TlsVersion {
    TLS_1_2("1.2", ProtocolVersion.TLSv12),
    TLS_1_3("1.3", ProtocolVersion.TLSv13);

    private final String label;
    private final ProtocolVersion bc;

    TlsVersion(String label, ProtocolVersion bc) {
        this.label = label;
        this.bc = bc;
    }

    /** The on-the-wire version number: 0x0303 or 0x0304, as in {@code struct tls_crypto_info.version}. */
    public int wireCode() {
        return bc.getFullVersion();
    }

    /** BouncyCastle's constant for this version. */
    public ProtocolVersion protocolVersion() {
        return bc;
    }

    /** {@code "1.2"} or {@code "1.3"}. */
    public String label() {
        return label;
    }

    /** The version negotiated in a handshake, or an exception if it is neither 1.2 nor 1.3. */
    public static TlsVersion of(ProtocolVersion negotiated) {
        for (TlsVersion v : values()) {
            if (v.bc.equals(negotiated)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unsupported TLS version " + negotiated);
    }

    /** Parses {@code "1.2"}, {@code "1.3"}, {@code "TLSv1.3"}. */
    public static TlsVersion parse(String text) {
        String t = text.strip().replaceFirst("(?i)^tlsv?", "");
        for (TlsVersion v : values()) {
            if (v.label.equals(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown TLS version '" + text + "' (use 1.2 or 1.3)");
    }

    @Override
    public String toString() {
        return "TLSv" + label;
    }
}
