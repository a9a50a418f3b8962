package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.HandshakeCrypto;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsDecodeResult;
import org.bouncycastle.tls.crypto.TlsEncodeResult;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

import java.io.IOException;
import java.security.SecureRandom;

/**
 * BouncyCastle's JCA crypto, but every record cipher it creates reports the sequence numbers it uses.
 *
 * <p>The record layer's counters are private to bctls, yet the kernel must continue from exactly
 * the next number in each direction, or its first record fails authentication. Every
 * {@code TlsCipher} call receives the record's sequence number as an argument, so a thin wrapper
 * sees it; a rekey ({@code rekeyEncoder}/{@code rekeyDecoder}, TLS 1.3 §5.3) starts that direction
 * over at zero.
 */
public final class SequenceTrackingCrypto extends JcaTlsCrypto {

    private volatile TrackedCipher current;

    public SequenceTrackingCrypto() {
        super(helper(), new SecureRandom(), new SecureRandom());
    }

    private static DefaultJcaJceHelper helper() {
        HandshakeCrypto.ensureGapsProviderLast();
        return new DefaultJcaJceHelper();
    }

    @Override
    public TlsCipher createCipher(TlsCryptoParameters parameters, int encryptionAlgorithm, int macAlgorithm)
            throws IOException {
        TrackedCipher cipher = new TrackedCipher(super.createCipher(parameters, encryptionAlgorithm, macAlgorithm));
        current = cipher;
        return cipher;
    }

    /** The next sequence number the current write cipher would use. */
    public long nextWriteSequence() {
        TrackedCipher c = current;
        return c == null ? 0 : c.nextWrite;
    }

    /** The next sequence number the current read cipher expects. */
    public long nextReadSequence() {
        TrackedCipher c = current;
        return c == null ? 0 : c.nextRead;
    }

    private static final class TrackedCipher implements TlsCipher {
        private final TlsCipher delegate;
        private volatile long nextWrite, nextRead;

        TrackedCipher(TlsCipher delegate) {
            this.delegate = delegate;
        }

        @Override
        public TlsEncodeResult encodePlaintext(long seqNo, short contentType, ProtocolVersion recordVersion,
                                               int headerAllocation, byte[] plaintext, int offset, int len)
                throws IOException {
            TlsEncodeResult result = delegate.encodePlaintext(seqNo, contentType, recordVersion, headerAllocation,
                    plaintext, offset, len);
            nextWrite = seqNo + 1;
            return result;
        }

        @Override
        public TlsDecodeResult decodeCiphertext(long seqNo, short recordType, ProtocolVersion recordVersion,
                                                byte[] ciphertext, int offset, int len) throws IOException {
            TlsDecodeResult result = delegate.decodeCiphertext(seqNo, recordType, recordVersion, ciphertext, offset, len);
            nextRead = seqNo + 1;
            return result;
        }

        @Override
        public void rekeyDecoder() throws IOException {
            delegate.rekeyDecoder();
            nextRead = 0;
        }

        @Override
        public void rekeyEncoder() throws IOException {
            delegate.rekeyEncoder();
            nextWrite = 0;
        }

        @Override
        public int getCiphertextDecodeLimit(int plaintextLimit) {
            return delegate.getCiphertextDecodeLimit(plaintextLimit);
        }

        @Override
        public int getCiphertextEncodeLimit(int plaintextLimit) {
            return delegate.getCiphertextEncodeLimit(plaintextLimit);
        }

        @Override
        public int getPlaintextDecodeLimit(int ciphertextLimit) {
            return delegate.getPlaintextDecodeLimit(ciphertextLimit);
        }

        @Override
        public int getPlaintextEncodeLimit(int ciphertextLimit) {
            return delegate.getPlaintextEncodeLimit(ciphertextLimit);
        }

        @Override
        public boolean usesOpaqueRecordTypeDecode() {
            return delegate.usesOpaqueRecordTypeDecode();
        }

        @Override
        public boolean usesOpaqueRecordTypeEncode() {
            return delegate.usesOpaqueRecordTypeEncode();
        }
    }
}
