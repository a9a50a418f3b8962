package dev.ktlsuring.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The training run of the command line's ahead-of-time cache (JEPs 483, 514, 515): the runs a user
 * makes, against the demo server on 127.0.0.1, so that the cache holds the classes they load, already
 * parsed and linked, and the profiles of the methods they run, with which the JIT compiles the hot ones
 * (AES-GCM among them) early. {@code final/src/build/aot-cache} runs it when the jar is built; it needs
 * io_uring and the loopback interface, nothing else.
 *
 * <p>Every run goes through {@link Main#run}, as the command line's do: {@code --help}, the demo, one
 * small GET to standard output, two URLs on one kept-alive connection with {@code -i}, a download to a
 * file, and a GET that the system's trust store rejects (what loads and checks the JDK's CA
 * certificates, as any request to a public server does). Exit status 0 if each ended as it should.
 */
final class AotTraining {

    /** The download's size: enough for the record layer's methods to reach the JIT's last tier. */
    static final long DOWNLOAD_BYTES = 64L << 20;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        List<String> failures = new ArrayList<>();
        Path dir = Files.createTempDirectory("ktls-https-aot");
        try (var server = new DemoServer()) {
            server.serveBytes("/small", 1024);
            server.serveBytes("/large", DOWNLOAD_BYTES);
            Path ca = dir.resolve("ca.pem");
            Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(server.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            String base = "https://127.0.0.1:" + server.port();
            run(failures, ExitStatus.OK, "--help");
            run(failures, ExitStatus.OK);
            run(failures, ExitStatus.OK, "--cacert", ca.toString(), base + "/small");
            run(failures, ExitStatus.OK, "--cacert", ca.toString(), "-i", base + "/small", base + "/small");
            run(failures, ExitStatus.OK, "--cacert", ca.toString(), "-o", dir.resolve("large.bin").toString(), base + "/large");
            run(failures, ExitStatus.CERTIFICATE_REJECTED, base + "/small");
        } finally {
            Files.deleteIfExists(dir.resolve("large.bin"));
            Files.deleteIfExists(dir.resolve("ca.pem"));
            Files.deleteIfExists(dir);
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.err::println);
            System.exit(1);
        }
    }

    /** One command line, its output dropped; a failure to end with {@code expected} is noted. */
    private static void run(List<String> failures, ExitStatus expected, String... args) throws IOException {
        var err = new ByteArrayOutputStream();
        try (var out = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
             var errors = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = new Main(out, errors).run(args);
            if (status != expected.code) {
                failures.add("aot-training: ktls-https " + String.join(" ", args) + ": exit " + status + ", expected "
                        + expected.code + ": " + err.toString(StandardCharsets.UTF_8).strip());
            }
        }
    }
}
