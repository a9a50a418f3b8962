package dev.ktlsuring.secrets;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.RecordHeader;
import dev.ktlsuring.handshake.TlsVersion;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Seals and opens single TLS records with {@code javax.crypto} alone, from a {@link TrafficKeys} and a
 * sequence number: an independent record layer that checks extracted keys without BouncyCastle.
 *
 * <p>If a record this class seals is accepted by a real server, and the server's records open here,
 * then the key, the IV and the sequence number used are byte-exact. The three record formats:
 * <ul>
 *   <li><b>TLS 1.3</b> (RFC 8446 §5.2, §5.3): nonce = IV XOR sequence number (left-padded to 12
 *       bytes); AAD = the record header (outer type 23, version 0x0303, ciphertext length including the
 *       tag); the plaintext carries its real content type in its last non-zero byte.</li>
 *   <li><b>TLS 1.2 AES-GCM</b> (RFC 5288 §3): nonce = 4-byte implicit salt ‖ 8-byte explicit nonce,
 *       which travels in front of the ciphertext; AAD = seq_num(8) ‖ type(1) ‖ version(2) ‖
 *       plaintext length(2) (RFC 5246 §6.2.3.3). Sealing uses the sequence number as the explicit
 *       nonce, as BouncyCastle and the kernel do.</li>
 *   <li><b>TLS 1.2 ChaCha20-Poly1305</b> (RFC 7905 §2): nonce = 12-byte IV XOR sequence number, no
 *       explicit nonce on the wire; AAD as for TLS 1.2 AES-GCM.</li>
 * </ul>
 *
 * <p>For tests only: it keeps no state, allocates freely, and copies key material onto the heap.
 */
public final class RecordCipher {

    /** The legacy record version every TLS 1.2 and 1.3 record carries (RFC 8446 §5.1). */
    public static final int RECORD_VERSION = 0x0303;
    /** Authentication tag length of all three AEADs. */
    public static final int TAG_LENGTH = 16;
    /** Length of the explicit nonce in front of a TLS 1.2 AES-GCM fragment (RFC 5288 §3). */
    public static final int EXPLICIT_NONCE_LENGTH = 8;

    private RecordCipher() {
    }

    /**
     * A record's content after decryption.
     *
     * @param contentType the real content type: 21 alert, 22 handshake, 23 application data (for TLS 1.3
     *                    the inner type, RFC 8446 §5.2)
     * @param content     the plaintext, without TLS 1.3's content type byte and padding
     */
    public record Opened(int contentType, byte[] content) {

        /** Whether this is an alert record carrying close_notify (RFC 8446 §6.1). */
        public boolean isCloseNotify() {
            return contentType == RecordHeader.ALERT && content.length == 2 && content[1] == 0;
        }

        @Override
        public String toString() {
            return "Opened[type=" + contentType + ", " + content.length + " bytes]";
        }
    }

    /**
     * Encrypts {@code plaintext} as the record with sequence number {@code seq}.
     *
     * @param contentType the content type to protect (23 application data, 21 alert, ...)
     * @return the whole record: 5-byte header, then the protected fragment
     */
    public static byte[] seal(TrafficKeys keys, long seq, int contentType, byte[] plaintext)
            throws GeneralSecurityException {
        if (keys.version() == TlsVersion.TLS_1_3) {
            // TLSInnerPlaintext = content || ContentType || zeros (RFC 8446 §5.2); we add no padding.
            byte[] inner = Arrays.copyOf(plaintext, plaintext.length + 1);
            inner[plaintext.length] = (byte) contentType;
            byte[] header = header(RecordHeader.APPLICATION_DATA, inner.length + TAG_LENGTH);
            byte[] ciphertext = cipher(Cipher.ENCRYPT_MODE, keys, xorNonce(keys, seq), header).doFinal(inner);
            return concat(header, ciphertext);
        }
        byte[] aad = tls12Aad(seq, contentType, plaintext.length);
        if (keys.cipher() == BulkCipher.CHACHA20_POLY1305) {
            byte[] ciphertext = cipher(Cipher.ENCRYPT_MODE, keys, xorNonce(keys, seq), aad).doFinal(plaintext);
            return concat(header(contentType, ciphertext.length), ciphertext);
        }
        byte[] explicit = ByteBuffer.allocate(EXPLICIT_NONCE_LENGTH).putLong(seq).array();
        byte[] ciphertext = cipher(Cipher.ENCRYPT_MODE, keys, gcmNonce(keys, explicit), aad).doFinal(plaintext);
        return concat(header(contentType, EXPLICIT_NONCE_LENGTH + ciphertext.length), explicit, ciphertext);
    }

    /**
     * Decrypts and authenticates one whole record (header and fragment) that has sequence number {@code seq}.
     *
     * @throws javax.crypto.AEADBadTagException if the record was not sealed with these keys and this
     *                                          sequence number, or was altered
     * @throws GeneralSecurityException         if the record is malformed (short, wrong length field,
     *                                          TLS 1.3 record without a content type)
     */
    public static Opened open(TrafficKeys keys, long seq, byte[] record) throws GeneralSecurityException {
        if (record.length < RecordHeader.SIZE) {
            throw new GeneralSecurityException("record shorter than its header: " + record.length + " bytes");
        }
        int outerType = record[0] & 0xFF;
        int length = ((record[3] & 0xFF) << 8) | (record[4] & 0xFF);
        if (length != record.length - RecordHeader.SIZE) {
            throw new GeneralSecurityException("header says " + length + " bytes, record has "
                    + (record.length - RecordHeader.SIZE));
        }
        if (keys.version() == TlsVersion.TLS_1_3) {
            if (outerType != RecordHeader.APPLICATION_DATA) {
                throw new GeneralSecurityException("TLS 1.3 protected record with outer type " + outerType);
            }
            byte[] header = Arrays.copyOf(record, RecordHeader.SIZE);
            byte[] inner = cipher(Cipher.DECRYPT_MODE, keys, xorNonce(keys, seq), header)
                    .doFinal(record, RecordHeader.SIZE, length);
            // The content type is the last non-zero byte; zeros after it are padding (RFC 8446 §5.4).
            int end = inner.length;
            while (end > 0 && inner[end - 1] == 0) {
                end--;
            }
            if (end == 0) {
                throw new GeneralSecurityException("TLS 1.3 record without a content type (all padding)");
            }
            return new Opened(inner[end - 1] & 0xFF, Arrays.copyOf(inner, end - 1));
        }
        if (keys.cipher() == BulkCipher.CHACHA20_POLY1305) {
            int plaintextLength = length - TAG_LENGTH;
            if (plaintextLength < 0) {
                throw new GeneralSecurityException("fragment shorter than the tag: " + length + " bytes");
            }
            byte[] aad = tls12Aad(seq, outerType, plaintextLength);
            byte[] content = cipher(Cipher.DECRYPT_MODE, keys, xorNonce(keys, seq), aad)
                    .doFinal(record, RecordHeader.SIZE, length);
            return new Opened(outerType, content);
        }
        int plaintextLength = length - EXPLICIT_NONCE_LENGTH - TAG_LENGTH;
        if (plaintextLength < 0) {
            throw new GeneralSecurityException("fragment shorter than explicit nonce and tag: " + length + " bytes");
        }
        byte[] explicit = Arrays.copyOfRange(record, RecordHeader.SIZE, RecordHeader.SIZE + EXPLICIT_NONCE_LENGTH);
        byte[] aad = tls12Aad(seq, outerType, plaintextLength);
        byte[] content = cipher(Cipher.DECRYPT_MODE, keys, gcmNonce(keys, explicit), aad)
                .doFinal(record, RecordHeader.SIZE + EXPLICIT_NONCE_LENGTH, length - EXPLICIT_NONCE_LENGTH);
        return new Opened(outerType, content);
    }

    /** The 12-byte nonce of TLS 1.3 and ChaCha20-Poly1305: the IV XOR the big-endian sequence number. */
    private static byte[] xorNonce(TrafficKeys keys, long seq) {
        byte[] nonce = keys.iv().toArray(JAVA_BYTE);
        if (nonce.length != 12) {
            throw new IllegalArgumentException("expected a 12-byte IV, got " + nonce.length);
        }
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (seq >>> (8 * i));
        }
        return nonce;
    }

    /** The TLS 1.2 AES-GCM nonce: 4-byte salt from the key block, then the record's 8-byte explicit part. */
    private static byte[] gcmNonce(TrafficKeys keys, byte[] explicit) {
        byte[] salt = keys.iv().toArray(JAVA_BYTE);
        if (salt.length != 4) {
            throw new IllegalArgumentException("expected a 4-byte TLS 1.2 GCM salt, got " + salt.length);
        }
        return concat(salt, explicit);
    }

    /** TLS 1.2 additional data: seq_num ‖ type ‖ version ‖ length of the plaintext (RFC 5246 §6.2.3.3). */
    private static byte[] tls12Aad(long seq, int contentType, int plaintextLength) {
        return ByteBuffer.allocate(13).putLong(seq).put((byte) contentType).putShort((short) RECORD_VERSION)
                .putShort((short) plaintextLength).array();
    }

    private static byte[] header(int contentType, int fragmentLength) {
        if (fragmentLength > RecordHeader.MAX_FRAGMENT) {
            throw new IllegalArgumentException("record fragment of " + fragmentLength + " bytes is too long");
        }
        return ByteBuffer.allocate(RecordHeader.SIZE).put((byte) contentType).putShort((short) RECORD_VERSION)
                .putShort((short) fragmentLength).array();
    }

    private static Cipher cipher(int mode, TrafficKeys keys, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        boolean chacha = keys.cipher() == BulkCipher.CHACHA20_POLY1305;
        AlgorithmParameterSpec spec = chacha ? new IvParameterSpec(nonce) : new GCMParameterSpec(TAG_LENGTH * 8, nonce);
        // A fresh Cipher per record: the JDK refuses to reuse a key/nonce pair on one instance.
        Cipher cipher = Cipher.getInstance(chacha ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
        byte[] key = keys.key().toArray(JAVA_BYTE);
        try {
            cipher.init(mode, new SecretKeySpec(key, chacha ? "ChaCha20" : "AES"), spec);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        cipher.updateAAD(aad);
        return cipher;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
