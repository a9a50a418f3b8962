package dev.ktlsuring.handshake;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import java.security.SecureRandom;
import java.security.Security;

/**
 * The crypto provider behind the handshake (and the userspace record layer of the fallback).
 *
 * <p>{@code JcaTlsCrypto} runs on JCA, so AES-GCM comes from the JDK's SunJCE with its AES-NI/CLMUL
 * intrinsics, which matters when step 6 keeps records in userspace. The JDK lacks two things bctls
 * asks JCA for, ChaCha20-Poly1305 under the names BC uses and RSA-PSS as {@code SHA256WITHRSAANDMGF1};
 * without them bctls silently drops the ChaCha suites and fails RSA-PSS server signatures. Appending
 * BouncyCastle's provider <em>last</em> fills those gaps while every algorithm the JDK has still
 * comes from the JDK.
 */
public final class HandshakeCrypto {

    private HandshakeCrypto() {
    }

    /** A crypto instance for one or more handshakes. */
    public static JcaTlsCrypto create() {
        ensureBouncyCastleProviderLast();
        return new JcaTlsCryptoProvider().create(new SecureRandom());
    }

    /** Appends the BouncyCastle JCA provider after the JDK's own, once per JVM. */
    public static synchronized void ensureBouncyCastleProviderLast() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }
}
