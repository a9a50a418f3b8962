package dev.ktlsuring.handshake;

import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import java.security.SecureRandom;
import java.security.Security;

/**
 * The crypto provider behind the handshake (and the userspace record layer of the fallback).
 *
 * <p>{@code JcaTlsCrypto} runs on JCA, so AES-GCM comes from the JDK's SunJCE with its AES-NI/CLMUL
 * intrinsics, which matters when step 6 keeps records in userspace. The JDK lacks a few algorithms
 * under the names bctls asks JCA for (ChaCha20 and Poly1305 for the ChaCha20-Poly1305 suites, RSA-PSS
 * as {@code SHA256WITHRSAANDMGF1}); without them bctls silently drops the ChaCha suites and fails
 * RSA-PSS server signatures. {@link GapsProvider}, appended <em>last</em>, fills exactly those gaps
 * while every algorithm the JDK has still comes from the JDK.
 */
public final class HandshakeCrypto {

    private HandshakeCrypto() {
    }

    /** A crypto instance for one or more handshakes. */
    public static JcaTlsCrypto create() {
        ensureGapsProviderLast();
        return new JcaTlsCryptoProvider().create(new SecureRandom());
    }

    /** Appends {@link GapsProvider} after the JDK's own providers, once per JVM. */
    public static synchronized void ensureGapsProviderLast() {
        if (Security.getProvider(GapsProvider.NAME) == null) {
            Security.addProvider(new GapsProvider());
        }
    }
}
