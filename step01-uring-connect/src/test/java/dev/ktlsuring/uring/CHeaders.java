package dev.ktlsuring.uring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks gcc what the real C headers say: compiles a throwaway program that prints each requested
 * expression ({@code sizeof}, {@code offsetof}, a macro) and returns the printed values by name.
 * Tests compare the Java layouts and constants against this, so header drift cannot go unnoticed.
 */
public final class CHeaders {

    private CHeaders() {
    }

    /**
     * Evaluates each C expression (integral) after including {@code headers}.
     *
     * @param expressions name → C expression, e.g. {@code "sizeof io_uring_sqe" → "sizeof(struct io_uring_sqe)"}
     */
    public static Map<String, Long> evaluate(List<String> headers, Map<String, String> expressions)
            throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n");
        for (String header : headers) {
            c.append("#include <").append(header).append(">\n");
        }
        c.append("int main(void) {\n");
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            c.append("  printf(\"%s=%lld\\n\", \"").append(e.getKey()).append("\", (long long)(")
                    .append(e.getValue()).append("));\n");
        }
        c.append("  return 0;\n}\n");

        Path dir = Files.createTempDirectory("cheaders");
        try {
            Path source = dir.resolve("probe.c");
            Path binary = dir.resolve("probe");
            Files.writeString(source, c);
            run(dir, "gcc", "-o", binary.toString(), source.toString());
            String out = run(dir, binary.toString());
            Map<String, Long> values = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                int eq = line.lastIndexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                }
            }
            return values;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
