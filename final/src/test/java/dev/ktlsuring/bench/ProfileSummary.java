package dev.ktlsuring.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hottest methods of a JDK Flight Recorder recording: execution samples by top frame (self) and
 * by any frame (total), native-method samples (threads inside a system call or other native code,
 * which execution samples miss), and allocation by class and by allocating method.
 */
final class ProfileSummary {

    private final Map<String, Long> self = new HashMap<>(), total = new HashMap<>(), nativeTop = new HashMap<>(),
            allocClass = new HashMap<>(), allocSite = new HashMap<>(), threads = new HashMap<>(),
            cpuSelf = new HashMap<>(), cpuTotal = new HashMap<>();
    private long samples, nativeSamples, cpuSamples, allocated, gcCount;
    private double gcPauseMillis;

    /** The events of {@code recording} from {@code from} on (starting a recording costs samples of its own). */
    static ProfileSummary of(Path recording, java.time.Instant from) throws IOException {
        var summary = new ProfileSummary();
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (!e.getStartTime().isBefore(from)) {
                summary.add(e);
            }
        }
        return summary;
    }

    private void add(RecordedEvent e) {
        switch (e.getEventType().getName()) {
            case "jdk.ExecutionSample" -> {
                samples++;
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    return;
                }
                List<RecordedFrame> frames = stack.getFrames();
                self.merge(name(frames.getFirst()), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    if (seen.add(name(f))) {
                        total.merge(name(f), 1L, Long::sum);
                    }
                }
                if (e.getThread("sampledThread") != null) {
                    threads.merge(e.getThread("sampledThread").getJavaName(), 1L, Long::sum);
                }
            }
            case "jdk.CPUTimeSample" -> {
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    return;
                }
                cpuSamples++;
                List<RecordedFrame> frames = stack.getFrames();
                cpuSelf.merge(name(frames.getFirst()), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    if (seen.add(name(f))) {
                        cpuTotal.merge(name(f), 1L, Long::sum);
                    }
                }
            }
            case "jdk.NativeMethodSample" -> {
                nativeSamples++;
                RecordedStackTrace stack = e.getStackTrace();
                if (stack != null && !stack.getFrames().isEmpty()) {
                    // The first frame that is not the FFM linker's own plumbing says which call it is.
                    String where = stack.getFrames().stream().map(ProfileSummary::name)
                            .filter(n -> !n.startsWith("java.lang.invoke.") && !n.startsWith("jdk.internal.foreign."))
                            .findFirst().orElse(name(stack.getFrames().getFirst()));
                    nativeTop.merge(where, 1L, Long::sum);
                }
            }
            case "jdk.ObjectAllocationSample" -> {
                long weight = e.getLong("weight");
                allocated += weight;
                allocClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                RecordedStackTrace stack = e.getStackTrace();
                if (stack != null && !stack.getFrames().isEmpty()) {
                    allocSite.merge(name(stack.getFrames().getFirst()), weight, Long::sum);
                }
            }
            case "jdk.GarbageCollection" -> {
                gcCount++;
                gcPauseMillis += e.getDuration("sumOfPauses").toNanos() / 1e6;
            }
            default -> { }
        }
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String type = m.getType() == null ? "?" : m.getType().getName();
        return type + "." + m.getName();
    }

    String text() {
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "JFR: %d CPU-time samples, %d execution samples (Java code), %d "
                + "native-method samples, %.0f MB allocation sampled (weight), %d GCs with %.1f ms of pauses%n", cpuSamples,
                samples, nativeSamples, allocated / 1e6, gcCount, gcPauseMillis));
        if (cpuSamples > 0) {
            section(out, "CPU time, self: top frame of CPU-time samples (Java and native)", cpuSelf, cpuSamples, 25, "samples");
            section(out, "CPU time, total: any frame of CPU-time samples", cpuTotal, cpuSamples, 45, "samples");
        }
        section(out, "threads sampled in Java code", threads, samples, 6, "samples");
        section(out, "self: top frame of execution samples", self, samples, 25, "samples");
        section(out, "total: any frame of execution samples", total, samples, 40, "samples");
        section(out, "native: threads in native code (system calls, FFM downcalls), by calling Java method", nativeTop,
                nativeSamples, 10, "samples");
        section(out, "allocation by class (sampled weight)", allocClass, allocated, 12, "bytes");
        section(out, "allocation by allocating method (sampled weight)", allocSite, allocated, 15, "bytes");
        return out.toString();
    }

    private static void section(StringBuilder out, String title, Map<String, Long> counts, long all, int top, String unit) {
        out.append('\n').append(title).append(":\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.append(String.format(Locale.ROOT, "  %5.1f%%  %12d %s  %s%n",
                        100.0 * e.getValue() / Math.max(1, all), e.getValue(), unit, e.getKey())));
    }
}
