package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ErrnoTest {

    @Test
    void everyNumberMatchesErrnoHeader() throws Exception {
        Map<String, String> expressions = new LinkedHashMap<>();
        Arrays.stream(Errno.values()).forEach(e -> expressions.put(e.name(), e.name()));

        Map<String, Long> fromGcc = CHeaders.evaluate(List.of("errno.h"), expressions);

        assertThat(fromGcc).hasSize(Errno.values().length);
        for (Errno e : Errno.values()) {
            assertThat((long) e.number()).as(e.name()).isEqualTo(fromGcc.get(e.name()));
        }
    }

    @Test
    void messagesNameOperationErrnoAndDetail() {
        assertThat(Errno.exception("connect", -111, "127.0.0.1:9"))
                .isInstanceOf(ConnectException.class)
                .hasMessage("connect: ECONNREFUSED (127.0.0.1:9)");
        assertThat(Errno.exception("recv", 110, null))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage("recv: ETIMEDOUT");
        assertThat(Errno.nameOf(-4095)).isEqualTo("errno 4095");
    }

    @Test
    void comparisonsAreExplicitAboutSign() {
        assertThat(Errno.EAGAIN.isResult(-11)).as("a completion result of -EAGAIN").isTrue();
        assertThat(Errno.EAGAIN.isResult(11)).as("an 11-byte read").isFalse();
        assertThat(Errno.EAGAIN.isErrno(11)).as("errno as a system call leaves it").isTrue();
        assertThat(Errno.EAGAIN.isErrno(-11)).isFalse();
        assertThat(Errno.ETIME.isResult(0)).isFalse();
    }
}
