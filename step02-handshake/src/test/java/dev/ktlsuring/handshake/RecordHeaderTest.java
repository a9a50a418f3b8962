package dev.ktlsuring.handshake;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLProtocolException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The record header check at its boundaries: what the framing accepts before BouncyCastle sees a byte. */
class RecordHeaderTest {

    static byte[] header(int type, int version, int length) {
        return new byte[]{(byte) type, (byte) (version >> 8), (byte) version, (byte) (length >> 8), (byte) length};
    }

    /** The largest legal fragment (2^14 + 2048, TLS 1.2's ciphertext limit) passes; one byte more is record_overflow. */
    @Test
    void lengthLimitIsExact() throws SSLProtocolException {
        assertThat(RecordHeader.parse(header(22, 0x0303, RecordHeader.MAX_FRAGMENT), 0).length()).isEqualTo(18432);
        assertThatThrownBy(() -> RecordHeader.parse(header(22, 0x0303, RecordHeader.MAX_FRAGMENT + 1), 0))
                .isInstanceOf(SSLProtocolException.class)
                .hasMessage("record_overflow: record of 18433 bytes exceeds 18432");
    }

    /** Only content types 20 to 23 and versions 3.x begin a TLS record. */
    @Test
    void unknownTypesAndVersionsAreNotTls() {
        assertThatThrownBy(() -> RecordHeader.parse(header(19, 0x0303, 10), 0))
                .hasMessage("not a TLS record: content type 0x13");
        assertThatThrownBy(() -> RecordHeader.parse(header(24, 0x0303, 10), 0))
                .hasMessage("not a TLS record: content type 0x18");
        assertThatThrownBy(() -> RecordHeader.parse(header(22, 0x0200, 10), 0))
                .hasMessage("not a TLS record: version 0x0200");
    }
}
