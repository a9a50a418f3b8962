package dev.ktlsuring.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What this process holds, for leak tests: open descriptors, io_uring ring descriptors and mappings,
 * native memory by the JVM's native memory tracking, and resident memory.
 *
 * <p>NMT needs {@code -XX:NativeMemoryTracking=summary} (set for this module's tests in its pom).
 * {@code Arena} allocations are {@code malloc}s of the NMT category "Other", where every connection's
 * buffers and every ring's parameters live, so a connection or ring not released shows up there as
 * growth in block count and size. (The {@code direct} buffer pool does not count {@code Arena} memory.)
 *
 * @param nativeBlocks  NMT "Other" malloc blocks (the {@code Arena} allocations)
 * @param nativeKiB     NMT "Other" malloc size
 * @param nonHeapKiB    NMT committed memory of every category but the Java heap (code cache, metaspace,
 *                      GC structures, thread stacks, mallocs): what the JVM itself holds natively
 * @param rssKiB        resident set size ({@code VmRSS}), the Java heap's touched pages included
 */
public record ProcessResources(int fds, int rings, int ringMappings, long nativeBlocks, long nativeKiB,
                               long nonHeapKiB, long rssKiB) {

    private static final Pattern OTHER = Pattern.compile("\\(malloc=(\\d+)KB(?: tag=Other)? #(\\d+)\\)");
    private static final Pattern TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
    private static final Pattern RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB$");

    /** Measures now. */
    public static ProcessResources now() throws IOException {
        int fds = 0, rings = 0;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : entries.toList()) {
                fds++;
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[io_uring]")) {
                        rings++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor of the listing itself, or one closed by another thread
                }
            }
        }
        int mappings = (int) Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("io_uring")).count();
        String summary = nativeMemorySummary();
        int at = summary.indexOf("Other (reserved=");
        Matcher other = OTHER.matcher(summary);
        if (at < 0 || !other.find(at)) {
            throw new IllegalStateException("no NMT category Other: is -XX:NativeMemoryTracking=summary set?");
        }
        long nonHeap = kib(TOTAL, summary) - kib(HEAP, summary);
        long rss = kib(RSS, Files.readString(Path.of("/proc/self/status")));
        return new ProcessResources(fds, rings, mappings, Long.parseLong(other.group(2)), Long.parseLong(other.group(1)),
                nonHeap, rss);
    }

    private static long kib(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no match for " + pattern + " in:\n" + text);
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code jcmd PID VM.native_memory summary}, in-process. */
    static String nativeMemorySummary() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[]{new String[]{"summary", "scale=KB"}}, new String[]{String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }
}
