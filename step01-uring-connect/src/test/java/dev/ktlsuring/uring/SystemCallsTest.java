package dev.ktlsuring.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The system calls all made through {@code syscall(2)}: their numbers, and pointers to native memory only. */
class SystemCallsTest {

    @Test
    void everyNumberMatchesThisArchitecturesSyscallHeader() throws Exception {
        Map<String, Long> ours = new LinkedHashMap<>();
        ours.put("SYS_io_uring_setup", SystemCalls.NR_IO_URING_SETUP);
        ours.put("SYS_io_uring_enter", SystemCalls.NR_IO_URING_ENTER);
        ours.put("SYS_io_uring_register", SystemCalls.NR_IO_URING_REGISTER);
        ours.put("SYS_write", SystemCalls.NR_WRITE);
        ours.put("SYS_close", SystemCalls.NR_CLOSE);
        ours.put("SYS_mmap", SystemCalls.NR_MMAP);
        ours.put("SYS_munmap", SystemCalls.NR_MUNMAP);
        ours.put("SYS_socket", SystemCalls.NR_SOCKET);
        ours.put("SYS_shutdown", SystemCalls.NR_SHUTDOWN);
        ours.put("SYS_setsockopt", SystemCalls.NR_SETSOCKOPT);
        ours.put("SYS_getsockopt", SystemCalls.NR_GETSOCKOPT);
        ours.put("SYS_eventfd2", SystemCalls.NR_EVENTFD2);
        Map<String, String> expressions = new LinkedHashMap<>();
        ours.keySet().forEach(name -> expressions.put(name, name));

        Map<String, Long> fromGcc = CHeaders.evaluate(List.of("sys/syscall.h"), expressions);

        assertThat(fromGcc).isEqualTo(ours);
    }

    @Test
    void aCallReturnsItsResultOrTheErrnoItFailedWith() throws Exception {
        int fd = SystemCalls.eventfd();
        assertThat(fd).isPositive();
        assertThat(SystemCalls.close(fd)).isZero();
        assertThat(SystemCalls.close(fd)).as("closed twice: EBADF").isEqualTo(Errno.EBADF.number());
    }

    @Test
    void aPointerMustBeNativeMemory() {
        MemorySegment onTheHeap = MemorySegment.ofArray(new int[] {1});

        assertThatThrownBy(() -> SystemCalls.setsockopt(0, 0, 0, onTheHeap, "heap"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native memory");
    }
}
