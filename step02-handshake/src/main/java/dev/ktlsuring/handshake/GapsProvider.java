package dev.ktlsuring.handshake;

import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.MacSpi;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Map;

/**
 * The algorithms bctls asks JCA for under names the JDK does not know, and nothing else: ChaCha20
 * ({@code ChaCha7539}) and {@code Poly1305}, the two halves of the ChaCha20-Poly1305 suites, on
 * BouncyCastle's lightweight engines; and RSA-PSS as {@code SHA256WITHRSAANDMGF1} (SHA-384, SHA-512),
 * which is the JDK's own {@code RSASSA-PSS} under that name.
 *
 * <p>BouncyCastle's {@code BouncyCastleProvider} has all of these, but its implementations are not
 * usable without it: each one's constructor looks the provider up, and builds it when it is not
 * registered. Building it loads and initialises thousands of classes (every algorithm mapping, every
 * named curve) for algorithms a handshake never asks for, which costs a command line a good part of
 * its start-up. Registering this provider loads none of the classes below; each loads when a
 * handshake first asks for its algorithm ({@link #implementation}).
 */
final class GapsProvider extends Provider {

    /** The provider's name, as {@link java.security.Security#getProvider} finds it. */
    static final String NAME = "ktls-uring-gaps";

    /** The algorithms, as bctls names them ({@code JcaTlsCrypto}, {@code JceChaCha20Poly1305}). */
    static final List<String> CIPHERS = List.of("ChaCha7539"), MACS = List.of("Poly1305"),
            SIGNATURES = List.of("SHA256WITHRSAANDMGF1", "SHA384WITHRSAANDMGF1", "SHA512WITHRSAANDMGF1");

    GapsProvider() {
        super(NAME, "1.0", "ChaCha7539 and Poly1305 (BouncyCastle's engines) and SHAnnnWITHRSAANDMGF1 "
                + "(the JDK's RSASSA-PSS) under the names bctls asks for");
        CIPHERS.forEach(a -> service("Cipher", a, ChaCha7539.class));
        MACS.forEach(a -> service("Mac", a, Poly1305Mac.class));
        SIGNATURES.forEach(a -> service("Signature", a, RsaPss.class));
    }

    private void service(String type, String algorithm, Class<?> implementationClass) {
        putService(new Service(this, type, algorithm, implementationClass.getName(), List.of(), Map.of()) {
            @Override
            public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                return implementation(getAlgorithm());
            }
        });
    }

    /** A new instance of {@code algorithm}'s implementation, made directly rather than by reflection. */
    static Object implementation(String algorithm) throws NoSuchAlgorithmException {
        return switch (algorithm) {
            case "ChaCha7539" -> new ChaCha7539();
            case "Poly1305" -> new Poly1305Mac();
            case "SHA256WITHRSAANDMGF1" -> new RsaPss("SHA-256", MGF1ParameterSpec.SHA256, 32);
            case "SHA384WITHRSAANDMGF1" -> new RsaPss("SHA-384", MGF1ParameterSpec.SHA384, 48);
            case "SHA512WITHRSAANDMGF1" -> new RsaPss("SHA-512", MGF1ParameterSpec.SHA512, 64);
            default -> throw new NoSuchAlgorithmException(algorithm + " is not in " + NAME);
        };
    }

    /**
     * ChaCha20 as RFC 8439 §2.4 defines it (32-byte key, 12-byte nonce, block counter from 0), a
     * stream cipher: the same operation in both directions. {@code doFinal} returns it to the state
     * its {@code init} left, as JCA's contract says.
     */
    static final class ChaCha7539 extends CipherSpi {
        private final ChaCha7539Engine engine = new ChaCha7539Engine();
        private byte[] nonce;

        @Override
        protected void engineSetMode(String mode) throws NoSuchAlgorithmException {
            if (!mode.equalsIgnoreCase("NONE")) {
                throw new NoSuchAlgorithmException("ChaCha7539 is a stream cipher: no mode " + mode);
            }
        }

        @Override
        protected void engineSetPadding(String padding) throws NoSuchPaddingException {
            if (!padding.equalsIgnoreCase("NoPadding")) {
                throw new NoSuchPaddingException("ChaCha7539 is a stream cipher: no padding " + padding);
            }
        }

        @Override
        protected int engineGetBlockSize() {
            return 0;
        }

        @Override
        protected int engineGetOutputSize(int inputLen) {
            return inputLen;
        }

        @Override
        protected byte[] engineGetIV() {
            return nonce == null ? null : nonce.clone();
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return null;
        }

        @Override
        protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
            throw new InvalidKeyException("ChaCha7539 needs its 12-byte nonce as an IvParameterSpec");
        }

        @Override
        protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            if (!(params instanceof IvParameterSpec iv) || iv.getIV().length != 12) {
                throw new InvalidAlgorithmParameterException("ChaCha7539 needs a 12-byte nonce (IvParameterSpec)");
            }
            byte[] k = key.getEncoded();
            if (k == null || k.length != 32) {
                throw new InvalidKeyException("ChaCha7539 needs a 32-byte key");
            }
            if (opmode != Cipher.ENCRYPT_MODE && opmode != Cipher.DECRYPT_MODE) {
                throw new InvalidParameterException("ChaCha7539 only encrypts and decrypts");
            }
            nonce = iv.getIV();
            engine.init(opmode == Cipher.ENCRYPT_MODE, new ParametersWithIV(new KeyParameter(k), nonce));
        }

        @Override
        protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            try {
                engineInit(opmode, key, params == null ? null : params.getParameterSpec(IvParameterSpec.class), random);
            } catch (java.security.spec.InvalidParameterSpecException e) {
                throw new InvalidAlgorithmParameterException(e);
            }
        }

        @Override
        protected byte[] engineUpdate(byte[] input, int inputOffset, int inputLen) {
            byte[] output = new byte[inputLen];
            engine.processBytes(input, inputOffset, inputLen, output, 0);
            return output;
        }

        @Override
        protected int engineUpdate(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset)
                throws ShortBufferException {
            if (output.length - outputOffset < inputLen) {
                throw new ShortBufferException("ChaCha7539: " + inputLen + " bytes need as much room");
            }
            return engine.processBytes(input, inputOffset, inputLen, output, outputOffset);
        }

        @Override
        protected byte[] engineDoFinal(byte[] input, int inputOffset, int inputLen) {
            byte[] output = engineUpdate(input, inputOffset, inputLen);
            engine.reset();
            return output;
        }

        @Override
        protected int engineDoFinal(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset)
                throws ShortBufferException, BadPaddingException {
            int n = engineUpdate(input, inputOffset, inputLen, output, outputOffset);
            engine.reset();
            return n;
        }
    }

    /** Poly1305 (RFC 8439 §2.5): a one-time authenticator keyed with 32 bytes, a 16-byte tag. */
    static final class Poly1305Mac extends MacSpi {
        private final Poly1305 mac = new Poly1305();

        @Override
        protected int engineGetMacLength() {
            return 16;
        }

        @Override
        protected void engineInit(Key key, AlgorithmParameterSpec params)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            if (params != null) {
                throw new InvalidAlgorithmParameterException("Poly1305 takes no parameters");
            }
            byte[] k = key.getEncoded();
            if (k == null || k.length != 32) {
                throw new InvalidKeyException("Poly1305 needs a 32-byte key");
            }
            mac.init(new KeyParameter(k));
        }

        @Override
        protected void engineUpdate(byte input) {
            mac.update(input);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            mac.update(input, offset, len);
        }

        @Override
        protected byte[] engineDoFinal() {
            byte[] tag = new byte[16];
            mac.doFinal(tag, 0);
            return tag;
        }

        @Override
        protected void engineReset() {
            mac.reset();
        }
    }

    /**
     * RSASSA-PSS with one digest for message and MGF1 and a salt as long as the digest (RFC 8446
     * §4.2.3) unless set otherwise: the JDK's {@code RSASSA-PSS}, which needs its parameters set
     * before use, with those parameters set from the name.
     */
    static final class RsaPss extends SignatureSpi {
        private final Signature pss;

        RsaPss(String digest, MGF1ParameterSpec mgf, int saltLength) throws NoSuchAlgorithmException {
            try {
                pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec(digest, "MGF1", mgf, saltLength, PSSParameterSpec.TRAILER_FIELD_BC));
            } catch (InvalidAlgorithmParameterException e) {
                throw new NoSuchAlgorithmException("the JDK's RSASSA-PSS refuses " + digest + ": " + e.getMessage(), e);
            }
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            pss.initVerify(publicKey);
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            pss.initSign(privateKey);
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey, SecureRandom random) throws InvalidKeyException {
            pss.initSign(privateKey, random);
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            pss.setParameter(params);
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return pss.getParameters();
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            pss.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            pss.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            return pss.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            return pss.verify(sigBytes);
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameter " + param);
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("no parameter " + param);
        }
    }
}
