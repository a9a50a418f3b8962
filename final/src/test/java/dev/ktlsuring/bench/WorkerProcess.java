package dev.ktlsuring.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM client in its own process ({@link Worker}), kept alive over all rounds. */
final class WorkerProcess implements Contender {

    private final String name, description;
    private final Process process;
    private final PrintStream commands;
    private final BufferedReader replies;
    private final Path log;

    /** {@code pool}: the most connections of the client the worker keeps for the concurrent scenarios. */
    WorkerProcess(String name, String description, Path ca, Path log, List<String> jvmOptions, int pool) throws IOException {
        this(name, description, ca, log, jvmOptions, System.getProperty("java.class.path"), pool);
    }

    /** A worker from another class path (another build), under its own name. */
    WorkerProcess(String name, String description, Path ca, Path log, List<String> jvmOptions, String classPath, int pool)
            throws IOException {
        this.name = name;
        this.description = description;
        this.log = log;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        String client = name.replaceFirst("@.*", "");
        command.addAll(List.of("-cp", classPath, Worker.class.getName(), client, ca.toString(), Integer.toString(pool)));
        process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = replies.readLine();
        if (!"ready".equals(ready)) {
            throw failure("did not start (" + ready + ")");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Measurement run(Scenario scenario, URI uri, int n) throws IOException {
        String reply = call(scenario.word + " " + uri + (scenario == Scenario.LARGE ? "" : " " + n));
        return Measurement.decode(reply);
    }

    @Override
    public Measurement concurrent(URI uri, int c, int n) throws IOException {
        return Measurement.decode(call("concurrent " + uri + " " + c + " " + n));
    }

    /** The worker opens its connections with {@code c} requests at once before the timed ones. */
    @Override
    public int untimedRequests(int c) {
        return c;
    }

    @Override
    public Measurement parallel(URI uri, int k) throws IOException {
        return Measurement.decode(call("parallel " + uri + " " + k));
    }

    /**
     * Stops ({@code SIGSTOP}) or resumes ({@code SIGCONT}) the worker's JVM: stopped, its threads (GC,
     * JIT, a client's idle event loop) take no CPU from the client being measured.
     */
    void pause(boolean stop) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + (stop ? "-STOP " : "-CONT ") + process.pid() + " failed: " + out.strip());
        }
    }

    /** The worker's process id. */
    long pid() {
        return process.pid();
    }

    /** Sends one command; returns the {@code ok ...} reply or throws with the worker's error. */
    String call(String command) throws IOException {
        commands.println(command);
        String reply = replies.readLine();
        if (reply == null) {
            throw failure("exited");
        }
        if (reply.startsWith("error ")) {
            throw new IOException(name + ": " + reply.substring("error ".length()));
        }
        if (!reply.startsWith("ok")) {
            // Not the protocol: the JVM itself wrote to standard output, which it does when it crashes
            // ("# A fatal error has been detected by the Java Runtime Environment: ...").
            var report = new StringBuilder(reply);
            for (String line; report.length() < 4000 && (line = replies.readLine()) != null; ) {
                report.append('\n').append(line);
            }
            throw new IOException(name + " worker JVM crashed or printed outside the protocol (its hs_err file is "
                    + "beside its log, " + log.getParent() + "):\n" + report.toString().lines().limit(12)
                    .reduce((a, b) -> a + "\n" + b).orElse(""));
        }
        return reply;
    }

    private IOException failure(String what) throws IOException {
        String tail = Files.exists(log) ? String.join("\n", Files.readAllLines(log).stream()
                .skip(Math.max(0, Files.readAllLines(log).size() - 20)).toList()) : "";
        return new IOException(name + " worker " + what + "; its log (" + log + ") ends:\n" + tail);
    }

    @Override
    public void close() {
        try {
            pause(false);
        } catch (IOException | InterruptedException ignored) {
            // it is being ended anyway
        }
        commands.println("quit");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
