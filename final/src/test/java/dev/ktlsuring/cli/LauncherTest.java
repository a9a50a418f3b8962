package dev.ktlsuring.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher, {@code final/ktls-https}, and the ahead-of-time cache it runs the jar with: a request
 * works without the cache; with the cache {@code final/src/build/aot-cache} makes, the command line's
 * classes come from it; a cache made for another JDK or JVM options, or older than the jar, is left
 * alone. Each test runs the real scripts in a copy of the launcher's layout, on a jar made like the
 * build's one (every class of the command line, no signature files) from this test's class path.
 */
class LauncherTest {

    @TempDir
    Path root;
    Path launcher, jar, aot, classLog;

    @BeforeEach
    void layout() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Path build = Files.createDirectories(root.resolve("final/src/build"));
        launcher = Files.copy(repo.resolve("final/ktls-https"), root.resolve("final/ktls-https"),
                StandardCopyOption.COPY_ATTRIBUTES);
        for (String script : List.of("java.sh", "aot-cache")) {
            Files.copy(repo.resolve("final/src/build").resolve(script), build.resolve(script),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path target = Files.createDirectories(root.resolve("final/target"));
        jar = target.resolve("ktls-https.jar");
        aot = target.resolve("ktls-https.aot");
        classLog = root.resolve("class-load.log");
        writeCommandLineJar(jar);
    }

    @Test
    void withoutACacheARequestStillWorks() throws Exception {
        assertThat(aot).doesNotExist();

        Result r = request();

        assertThat(r.status).as(r.err).isZero();
        assertThat(r.out).isEqualTo(1024);
        assertThat(loadedFromTheCache()).isEmpty();
    }

    @Test
    void theCacheMadeAtBuildTimeIsUsedAndOneMadeForOtherOptionsOrAnOlderJarIsNot() throws Exception {
        Result made = run(List.of("bash", root.resolve("final/src/build/aot-cache").toString(),
                jar.getParent().toString()));
        assertThat(made.status).as(made.err).isZero();
        assertThat(aot).isNotEmptyFile();
        assertThat(Path.of(aot + ".jdk")).content().contains(System.getProperty("java.home"));

        Result cached = request();
        assertThat(cached.status).as(cached.err).isZero();
        assertThat(cached.out).isEqualTo(1024);
        assertThat(loadedFromTheCache()).contains("dev.ktlsuring.cli.Main", "dev.ktlsuring.client.HttpsClient",
                "dev.ktlsuring.uring.EventLoop", "org.bouncycastle.tls.TlsClientProtocol");

        // The stamp names the JDK and the JVM options the cache was made with; other ones: no cache.
        String stamp = Files.readString(Path.of(aot + ".jdk"));
        Files.writeString(Path.of(aot + ".jdk"), stamp.replace("--enable-native-access", "--other-options"));
        Result otherOptions = request();
        assertThat(otherOptions.status).as(otherOptions.err).isZero();
        assertThat(otherOptions.out).isEqualTo(1024);
        assertThat(loadedFromTheCache()).isEmpty();

        // A jar built after the cache (the JVM itself checks little more than its size): no cache.
        Files.writeString(Path.of(aot + ".jdk"), stamp);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(aot).toMillis() + 2000));
        Result newerJar = request();
        assertThat(newerJar.status).as(newerJar.err).isZero();
        assertThat(loadedFromTheCache()).isEmpty();
    }

    record Result(int status, long out, String err) {
    }

    /** One GET of 1 KiB through the launcher, from the demo server with its certificate as --cacert. */
    private Result request() throws Exception {
        try (var server = new DemoServer()) {
            server.serveBytes("/small", 1024);
            Path ca = Files.writeString(root.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder().encodeToString(server.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            Files.deleteIfExists(classLog);
            return run(List.of(launcher.toString(), "--cacert", ca.toString(), "https://127.0.0.1:" + server.port() + "/small"));
        }
    }

    /** The classes of the command line and its libraries that the last run loaded from an AOT cache. */
    private Set<String> loadedFromTheCache() throws IOException {
        Set<String> cached = new HashSet<>();
        try (Stream<String> lines = Files.lines(classLog)) {
            lines.filter(l -> l.endsWith("source: shared objects file")).map(l -> l.split(" ")[1])
                    .filter(c -> c.startsWith("dev.ktlsuring.") || c.startsWith("org.bouncycastle."))
                    .forEach(cached::add);
        }
        return cached;
    }

    private Result run(List<String> command) throws Exception {
        var builder = new ProcessBuilder(command).redirectOutput(root.resolve("out").toFile())
                .redirectError(root.resolve("err").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Where each class came from; prepended to the launcher's options, and not one of those the
        // cache must match.
        builder.environment().put("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + classLog);
        int status = builder.start().waitFor();
        return new Result(status, Files.size(root.resolve("out")), Files.readString(root.resolve("err")));
    }

    /**
     * The command line's jar as the build makes it: the classes of this module and the steps, and the
     * BouncyCastle jars without their signatures (the JVM would check those, and a class from a signed
     * jar cannot go into a cache), with BouncyCastle's Java-version-specific classes (Multi-Release).
     */
    static void writeCommandLineJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        main.put(Attributes.Name.MULTI_RELEASE, "true");
        main.putValue("Enable-Native-Access", "ALL-UNNAMED");
        Set<String> written = new HashSet<>();
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            written.add(JarFile.MANIFEST_NAME);
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(entry);
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"))) {
                    try (Stream<Path> files = Files.walk(p)) {
                        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                            try (InputStream in = Files.newInputStream(f)) {
                                copy(out, written, p.relativize(f).toString().replace(File.separatorChar, '/'), in);
                            }
                        }
                    }
                } else if (name.endsWith(".jar") && (name.startsWith("bc") || name.startsWith("step0"))
                        && !name.contains("-tests")) {
                    try (var in = new JarFile(p.toFile())) {
                        for (JarEntry e : in.stream().toList()) {
                            if (!e.isDirectory()) {
                                try (InputStream data = in.getInputStream(e)) {
                                    copy(out, written, e.getName(), data);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void copy(JarOutputStream out, Set<String> written, String name, InputStream data) throws IOException {
        boolean signature = name.startsWith("META-INF/") && name.matches("META-INF/[^/]*\\.(SF|RSA|DSA|EC)");
        if (signature || name.endsWith("module-info.class") || name.equals(JarFile.MANIFEST_NAME) || !written.add(name)) {
            return;
        }
        out.putNextEntry(new JarEntry(name));
        data.transferTo(out);
        out.closeEntry();
    }
}
