package dev.ktlsuring.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CPU time from {@code getrusage(2)}, user and system separately, in nanoseconds (microsecond
 * resolution): {@code RUSAGE_SELF} covers every thread of this process, GC and JIT compiler threads
 * included; {@code RUSAGE_CHILDREN} covers the children this process has waited for, which is how
 * {@code time(1)} accounts a command (here: each curl run).
 */
record CpuTime(long userNanos, long systemNanos) {

    private static final int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1;
    private static final MethodHandle GETRUSAGE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getrusage").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** This process, all threads. */
    static CpuTime self() {
        return of(RUSAGE_SELF);
    }

    /** All children that have terminated and been waited for. */
    static CpuTime children() {
        return of(RUSAGE_CHILDREN);
    }

    long totalNanos() {
        return userNanos + systemNanos;
    }

    CpuTime minus(CpuTime earlier) {
        return new CpuTime(userNanos - earlier.userNanos, systemNanos - earlier.systemNanos);
    }

    private static CpuTime of(int who) {
        // struct rusage starts with two struct timeval (tv_sec, tv_usec: 64-bit each on LP64 Linux):
        // ru_utime then ru_stime. The whole struct is 144 bytes on x86-64 and arm64.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment usage = arena.allocate(256, 8);
            int rc = (int) GETRUSAGE.invokeExact(who, usage);
            if (rc != 0) {
                throw new IllegalStateException("getrusage failed");
            }
            long user = usage.get(JAVA_LONG, 0) * 1_000_000_000L + usage.get(JAVA_LONG, 8) * 1_000L;
            long system = usage.get(JAVA_LONG, 16) * 1_000_000_000L + usage.get(JAVA_LONG, 24) * 1_000L;
            return new CpuTime(user, system);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
