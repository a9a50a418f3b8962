package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed jextract bindings against gcc's reading of this machine's headers. */
class AbiLayoutTest {

    @Test
    void everyLayoutAndConstantMatchesTheCHeaders() throws Exception {
        List<AbiConformance.Comparison> comparisons = AbiConformance.compare("dev.ktlsuring.uring.abi",
                List.of("linux/io_uring.h", "sys/socket.h", "sys/mman.h", "netinet/in.h", "netinet/tcp.h", "poll.h", "sys/eventfd.h"));

        assertThat(comparisons).hasSizeGreaterThan(100);
        assertThat(comparisons).extracting(AbiConformance.Comparison::what)
                .contains("sizeof struct io_uring_sqe", "offsetof struct io_uring_sqe.user_data",
                        "offsetof struct io_uring_sqe.msg_flags", "IORING_OP_CONNECT", "MSG_NOSIGNAL", "IORING_OP_POLL_ADD", "POLLIN", "IORING_OP_ASYNC_CANCEL", "IORING_OP_READ", "EFD_CLOEXEC", "SHUT_RDWR",
                        "IOSQE_CQE_SKIP_SUCCESS", "IORING_FEAT_CQE_SKIP", "sizeof struct io_uring_buf_reg", "IORING_RECV_MULTISHOT");
        assertThat(comparisons).allSatisfy(c ->
                assertThat(c.java()).as(c.what()).isEqualTo(c.c()));
    }
}
