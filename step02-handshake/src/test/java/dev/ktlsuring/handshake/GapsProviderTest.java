package dev.ktlsuring.handshake;

import org.bouncycastle.tls.EncryptionAlgorithm;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The few algorithms bctls needs beyond the JDK's, without BouncyCastle's whole JCA provider. */
class GapsProviderTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(7);

    @Test
    void theHandshakeCryptoRegistersOnlyTheGapsLastAndNotBouncyCastlesProvider() {
        JcaTlsCrypto crypto = HandshakeCrypto.create();

        var providers = Security.getProviders();
        assertThat(providers[providers.length - 1].getName()).isEqualTo(GapsProvider.NAME);
        assertThat(Security.getProvider("BC")).as("BouncyCastleProvider, whose construction costs start-up").isNull();
        // What bctls would silently do without: drop the ChaCha suites, refuse RSA-PSS signatures.
        assertThat(crypto.hasEncryptionAlgorithm(EncryptionAlgorithm.CHACHA20_POLY1305)).isTrue();
        assertThat(crypto.hasSignatureScheme(SignatureScheme.rsa_pss_rsae_sha256)).isTrue();
        assertThat(crypto.hasSignatureScheme(SignatureScheme.rsa_pss_rsae_sha384)).isTrue();
        assertThat(crypto.hasSignatureScheme(SignatureScheme.rsa_pss_rsae_sha512)).isTrue();
    }

    @Test
    void chaCha7539IsTheJdksChaCha20FromBlockZero() throws Exception {
        HandshakeCrypto.ensureGapsProviderLast();
        byte[] key = bytes(32), nonce = bytes(12), data = bytes(16_411);
        Cipher jdk = Cipher.getInstance("ChaCha20");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce, 0));
        byte[] expected = jdk.doFinal(data);

        Cipher ours = Cipher.getInstance("ChaCha7539");
        assertThat(ours.getProvider().getName()).isEqualTo(GapsProvider.NAME);
        ours.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha7539"), new IvParameterSpec(nonce));
        byte[] inPlace = data.clone();
        int n = ours.update(inPlace, 0, 100, inPlace, 0);
        n += ours.doFinal(inPlace, 100, data.length - 100, inPlace, 100);
        assertThat(n).isEqualTo(data.length);
        assertThat(inPlace).isEqualTo(expected);
        // doFinal leaves the cipher as init did (JCA's contract): the same key stream again.
        assertThat(ours.doFinal(data)).isEqualTo(expected);

        ours.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha7539"), new IvParameterSpec(nonce));
        assertThat(ours.doFinal(expected)).isEqualTo(data);
    }

    @Test
    void poly1305MatchesRfc8439Section2_5_2() throws Exception {
        HandshakeCrypto.ensureGapsProviderLast();
        Mac mac = Mac.getInstance("Poly1305");
        mac.init(new SecretKeySpec(HexFormat.of().parseHex(
                "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"), "Poly1305"));
        byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        mac.update(message, 0, 5);
        mac.update(message, 5, message.length - 5);

        assertThat(HexFormat.of().formatHex(mac.doFinal())).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
    }

    @ParameterizedTest
    @CsvSource({"SHA256WITHRSAANDMGF1, SHA-256, 32", "SHA384WITHRSAANDMGF1, SHA-384, 48", "SHA512WITHRSAANDMGF1, SHA-512, 64"})
    void rsaPssUnderBctlsNamesVerifiesTheJdksRsassaPss(String name, String digest, int saltLength) throws Exception {
        HandshakeCrypto.ensureGapsProviderLast();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        byte[] message = bytes(300);
        Signature signer = Signature.getInstance("RSASSA-PSS");
        signer.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), saltLength, 1));
        signer.initSign(keys.getPrivate());
        signer.update(message);
        byte[] signature = signer.sign();

        Signature verifier = Signature.getInstance(name);
        assertThat(verifier.getProvider().getName()).isEqualTo(GapsProvider.NAME);
        verifier.initVerify(keys.getPublic());
        verifier.update(message);
        assertThat(verifier.verify(signature)).isTrue();

        byte[] forged = message.clone();
        forged[0] ^= 1;
        verifier.initVerify(keys.getPublic());
        verifier.update(forged);
        assertThat(verifier.verify(signature)).isFalse();
        // A salt of another length is another signature scheme: refused, as the name's parameters say.
        signer.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), 20, 1));
        signer.initSign(keys.getPrivate());
        signer.update(message);
        verifier.initVerify(keys.getPublic());
        verifier.update(message);
        assertThat(verifier.verify(signer.sign())).isFalse();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) RANDOM.nextInt();
        }
        return b;
    }
}
