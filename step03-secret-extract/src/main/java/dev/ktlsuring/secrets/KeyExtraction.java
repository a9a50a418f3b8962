package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.HandshakeObserver;
import dev.ktlsuring.handshake.TlsHandshake;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.TlsSession;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.uring.UringSocket;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCryptoUtils;
import org.bouncycastle.tls.crypto.TlsSecret;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Step 3: the handshake of step 2, and then the exact record-protection state of both directions,
 * ready for the kernel.
 *
 * <p>Three things must be right at once: the keys, the IVs, and the sequence numbers. The keys and
 * IVs come from the key schedule of the negotiated version (RFC 8446 §7.3 for TLS 1.3, RFC 5246 §6.3
 * for TLS 1.2); the sequence numbers come from watching BouncyCastle's record ciphers
 * ({@link SequenceTrackingCrypto}).
 */
public final class KeyExtraction {

    private KeyExtraction() {
    }

    // tag::handshake-and-extract[]
    /** Performs the handshake and extracts both directions' keys at the hand-off point. */
    public static ExtractedSession handshake(UringSocket socket, String host, TlsOptions options, Duration timeout)
            throws IOException {
        var crypto = new SequenceTrackingCrypto();
        var keyBlock = new Tls12KeyBlock();
        TlsSession session = TlsHandshake.perform(socket, host, options, crypto, keyBlock, timeout);
        try {
            BulkCipher cipher = session.cipherSuite().cipher();
            long txSeq = crypto.nextWriteSequence();
            long rxSeq = crypto.nextReadSequence();
            SessionKeys keys = session.version() == TlsVersion.TLS_1_3
                    ? tls13(session.context().getSecurityParametersConnection(), cipher, txSeq, rxSeq)
                    : keyBlock.split(cipher, txSeq, rxSeq);
            return new ExtractedSession(session, keys);
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        } finally {
            keyBlock.wipe();
        }
    }
    // end::handshake-and-extract[]

    // tag::tls13[]
    /**
     * TLS 1.3 (RFC 8446 §7.3): each direction's key and IV are HKDF-Expand-Label of that direction's
     * application traffic secret with the labels "key" and "iv" and an empty context.
     */
    static SessionKeys tls13(SecurityParameters params, BulkCipher cipher, long txSeq, long rxSeq) throws IOException {
        int hash = params.getPRFCryptoHashAlgorithm();
        return new SessionKeys(
                tls13TrafficKeys(params.getTrafficSecretClient(), hash, cipher, txSeq),
                tls13TrafficKeys(params.getTrafficSecretServer(), hash, cipher, rxSeq));
    }

    /** The key and IV of one TLS 1.3 traffic secret. The secret itself is left intact (a KeyUpdate needs it). */
    public static TrafficKeys tls13TrafficKeys(TlsSecret trafficSecret, int cryptoHashAlgorithm, BulkCipher cipher,
                                               long sequenceNumber) throws IOException {
        // extract() destroys the secret it is called on: call it on the derived children only.
        byte[] key = TlsCryptoUtils.hkdfExpandLabel(trafficSecret, cryptoHashAlgorithm, "key",
                TlsUtils.EMPTY_BYTES, cipher.keyLength()).extract();
        byte[] iv = TlsCryptoUtils.hkdfExpandLabel(trafficSecret, cryptoHashAlgorithm, "iv",
                TlsUtils.EMPTY_BYTES, cipher.nonceLength()).extract();
        return new TrafficKeys(TlsVersion.TLS_1_3, cipher, key, iv, sequenceNumber);
    }
    // end::tls13[]

    // tag::tls12[]
    /**
     * TLS 1.2 (RFC 5246 §6.3): the key block is PRF(master_secret, "key expansion",
     * server_random + client_random), cut into client_write_key, server_write_key, client_write_IV,
     * server_write_IV (no MAC keys for AEAD suites). The master secret only exists until the handshake
     * completes, so the block is computed inside the completion callback.
     */
    static final class Tls12KeyBlock implements HandshakeObserver {
        private byte[] block;
        private int keyLength, ivLength;

        @Override
        public void handshakeComplete(TlsContext context) {
            SecurityParameters params = context.getSecurityParametersConnection();
            if (params == null) {
                params = context.getSecurityParametersHandshake();
            }
            if (TlsUtils.isTLSv13(params.getNegotiatedVersion())) {
                return;
            }
            BulkCipher cipher = dev.ktlsuring.handshake.CipherSuite.of(params.getCipherSuite()).cipher();
            keyLength = cipher.keyLength();
            ivLength = cipher.tls12FixedIvLength();
            byte[] seed = org.bouncycastle.util.Arrays.concatenate(params.getServerRandom(), params.getClientRandom());
            block = params.getMasterSecret()
                    .deriveUsingPRF(params.getPRFAlgorithm(), "key expansion", seed, 2 * keyLength + 2 * ivLength)
                    .extract();
        }

        SessionKeys split(BulkCipher cipher, long txSeq, long rxSeq) {
            if (block == null) {
                throw new IllegalStateException("TLS 1.2 key block was not captured at handshake completion");
            }
            int k = keyLength, v = ivLength;
            TrafficKeys client = new TrafficKeys(TlsVersion.TLS_1_2, cipher, Arrays.copyOfRange(block, 0, k),
                    Arrays.copyOfRange(block, 2 * k, 2 * k + v), txSeq);
            TrafficKeys server = new TrafficKeys(TlsVersion.TLS_1_2, cipher, Arrays.copyOfRange(block, k, 2 * k),
                    Arrays.copyOfRange(block, 2 * k + v, 2 * k + 2 * v), rxSeq);
            return new SessionKeys(client, server);
        }

        void wipe() {
            if (block != null) {
                Arrays.fill(block, (byte) 0);
            }
        }
    }
    // end::tls12[]
}
