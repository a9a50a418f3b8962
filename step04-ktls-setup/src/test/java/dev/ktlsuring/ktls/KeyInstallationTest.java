package dev.ktlsuring.ktls;

import dev.ktlsuring.handshake.BulkCipher;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.ktls.abi.tls_h;
import dev.ktlsuring.secrets.RetainingArena;
import dev.ktlsuring.secrets.SessionKeys;
import dev.ktlsuring.secrets.TrafficKeys;
import dev.ktlsuring.uring.Errno;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.ktlsuring.ktls.CryptoInfoTest.bytes;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link KernelTls#installKeys} gives {@code setsockopt} and what it leaves behind, with a stand-in
 * for the system call (so it runs on kernels without kTLS): the receive struct, then the transmit
 * struct, each holding its keys at the time of the call, and afterwards not one byte of either left in
 * memory, whether the kernel took the keys or refused them.
 */
class KeyInstallationTest {

    /** One call as the kernel would have seen it: the struct's bytes at that moment. */
    record Call(int level, int name, String struct) {
    }

    private static SessionKeys keys() {
        return new SessionKeys(
                new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, bytes(16, 0x10), bytes(12, 0xa0), 0),
                new TrafficKeys(TlsVersion.TLS_1_3, BulkCipher.AES_128_GCM, bytes(16, 0x30), bytes(12, 0xc0), 0));
    }

    /** Runs installKeys against a setsockopt that records each call and answers from {@code errnos}. */
    private static List<Call> install(RetainingArena arena, List<Call> calls, int... errnos) throws IOException {
        try (SessionKeys keys = keys()) {
            KernelTls.installKeys(3, keys, arena, (fd, level, name, value) -> {
                calls.add(new Call(level, name, HexFormat.of().formatHex(value.toArray(JAVA_BYTE))));
                return errnos[calls.size() - 1];
            });
        }
        return calls;
    }

    private static void assertNothingLeft(RetainingArena arena) {
        assertThat(arena.allocations()).as("the two crypto_info structs").hasSize(2);
        for (MemorySegment struct : arena.allocations()) {
            assertThat(struct.toArray(JAVA_BYTE)).as("bytes left in a %d-byte crypto_info", struct.byteSize())
                    .containsOnly(0);
        }
    }

    @Test
    void kernelGetsEachDirectionsKeysAndTheStructsAreWipedAfterwards() throws Exception {
        try (Arena memory = Arena.ofConfined()) {
            var arena = new RetainingArena(memory);
            List<Call> calls = install(arena, new ArrayList<>(), 0, 0);

            assertThat(calls).extracting(Call::level).containsOnly(tls_h.SOL_TLS());
            assertThat(calls).extracting(Call::name).containsExactly(tls_h.TLS_RX(), tls_h.TLS_TX());
            assertThat(calls.get(0).struct()).as("TLS_RX carries the receive key")
                    .contains("303132333435363738393a3b3c3d3e3f");
            assertThat(calls.get(1).struct()).as("TLS_TX carries the transmit key")
                    .contains("101112131415161718191a1b1c1d1e1f");
            assertNothingLeft(arena);
        }
    }

    @Test
    void structsAreWipedWhenTheKernelRefusesTheReceiveKeys() throws Exception {
        try (Arena memory = Arena.ofConfined()) {
            var arena = new RetainingArena(memory);
            List<Call> calls = install(arena, new ArrayList<>(), Errno.EINVAL.number());

            assertThat(calls).hasSize(1);
            assertNothingLeft(arena);
        }
    }

    @Test
    void structsAreWipedWhenTheKernelRefusesTheTransmitKeys() {
        try (Arena memory = Arena.ofConfined()) {
            var arena = new RetainingArena(memory);
            assertThatThrownBy(() -> install(arena, new ArrayList<>(), 0, Errno.ENOMEM.number()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("kTLS: the kernel took TLS_RX but refused TLS_TX (setsockopt SOL_TLS TLS_TX TLSv1.3 "
                            + "AES_128_GCM: ENOMEM); the connection cannot go on");
            assertNothingLeft(arena);
        }
    }
}
