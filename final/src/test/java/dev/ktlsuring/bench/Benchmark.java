package dev.ktlsuring.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The issue-7 benchmark, whole processes side by side: nginx with TLS on 127.0.0.1, and this client
 * (userspace records; kernel records where the kernel has kTLS), the JDK's HttpClient and curl, each
 * in its own process, alternated over several rounds. Run it with {@code final/bench} (see
 * {@link #USAGE}).
 */
public final class Benchmark {

    static final String USAGE = """
            usage: final/bench [options]
              --rounds N          measured rounds (default 5; env BENCH_ROUNDS)
              --warmup N          warm-up rounds first, not counted (default 2; env BENCH_WARMUP)
              --size MIB          size of the large file in MiB (default 256; env BENCH_SIZE_MIB)
              --requests N        keep-alive requests per round (default 2000; env BENCH_REQUESTS)
              --connections N     new-connection requests per round (default 200; env BENCH_CONNECTIONS)
              --clients LIST      comma-separated, from uring-ktls,uring-userspace,jdk,curl (default all;
                                  env BENCH_CLIENTS); uring-ktls is skipped, saying why, without kTLS
              --scenarios LIST    comma-separated, from large,keepalive,newconn,concurrent,parallel,cold,ring
                                  (default all but ring; env BENCH_SCENARIOS); the results of large, keepalive
                                  and newconn go to perf/_results-LABEL.adoc, those of concurrent and parallel
                                  (4 downloads at once) to perf/_concurrency-LABEL.adoc, those of cold (a fresh
                                  process per transfer: final/ktls-https, a JDK HttpClient program, curl) to
                                  perf/_cold-LABEL.adoc, ring's to perf/_ring-LABEL.adoc: a run writes only the
                                  files of what it ran. ring: no nginx, no TLS; one ring in this JVM, 1 KiB
                                  exchanges over 64 loopback connections: plain fd, registered files, multishot
                                  receive into provided buffers, and both
              --cold-size MIB     the cold scenario's download in MiB (default 1024; env BENCH_COLD_SIZE_MIB)
              --cold-rounds N     the cold scenario's measured rounds of one 1 KiB GET (default 7; env
                                  BENCH_COLD_ROUNDS)
              --cold-large-rounds N  its measured rounds of the download (default 3; env BENCH_COLD_LARGE_ROUNDS)
              --concurrency LIST  the levels C of the concurrent scenario: C requests at once over at most C
                                  connections (default 1,16,64,256; env BENCH_CONCURRENCY)
              --concurrent-requests N  requests per concurrent run (default 20000; env BENCH_CONCURRENT_REQUESTS)
              --ring-exchanges N  exchanges per variant and round of the ring scenario (default 200000;
                                  env BENCH_RING_EXCHANGES)
              --label NAME        results file names (default host, or vm inside .ci/ktls-vm; env BENCH_LABEL)
              --out DIR           where perf/ and images/ results go (default docs/src/docs/asciidoc; env BENCH_OUT)
              --note TEXT         a remark printed with the results, e.g. about load (env BENCH_NOTE)
              --jvm-opts "..."    extra JVM options for the JVM clients (env BENCH_JVM_OPTS)
              --profile [S:]C     instead of the comparison: profile client C in scenario S (default
                                  large:uring-userspace; concurrent: at C = 64) with JDK Flight Recorder over the measured rounds
                                  and print its hottest methods; the recording is kept
              --baseline DIR      also run this client's modes from another checkout DIR, built with
                                  ./mvnw -pl final -DskipTests package, as uring-userspace@base and
                                  uring-ktls@base (in the cold scenario: DIR/final/ktls-https as
                                  ktls-https@base): a fair before/after of a change, in the same run
                                  (env BENCH_BASELINE)
              --strace [C]        instead of the comparison: after the warm-up rounds, one concurrent run of
                                  client C (default uring-userspace) at C = 64 under strace -f -c -e
                                  trace=io_uring_enter, whose count is printed beside the ring's own
              --no-write          print the results only
            """;

    record Config(int rounds, int warmup, int sizeMib, int requests, int connections, List<String> clients,
                  String label, Path out, String note, List<String> jvmOptions, String profile, boolean write,
                  Path repo, Path baseline, List<Scenario> scenarios, List<Integer> concurrency,
                  int concurrentRequests, String strace, int ringExchanges, boolean cold, int coldSizeMib,
                  int coldRounds, int coldLargeRounds) {

        boolean runs(Scenario s) {
            return scenarios.contains(s);
        }

        /** The most connections per host of the client a worker keeps for the concurrent scenarios. */
        int pool() {
            return Math.max(Scenario.PARALLEL_DOWNLOADS, concurrency.stream().mapToInt(Integer::intValue).max().orElse(1));
        }
    }

    static final List<String> ALL_CLIENTS = List.of("uring-ktls", "uring-userspace", "jdk", "curl");

    /**
     * The cold scenario's word in {@code --scenarios}: fresh processes ({@link ColdStart}), not the
     * long-lived clients of the {@link Scenario}s, whose results go to files of their own.
     */
    static final String COLD = "cold";

    public static void main(String[] args) throws Exception {
        Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int status = new Benchmark(config).run();
        System.exit(status);
    }

    private final Config config;

    Benchmark(Config config) {
        this.config = config;
    }

    static Config parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("rounds", env("BENCH_ROUNDS", "5"));
        o.put("warmup", env("BENCH_WARMUP", "2"));
        o.put("size", env("BENCH_SIZE_MIB", "256"));
        o.put("requests", env("BENCH_REQUESTS", "2000"));
        o.put("connections", env("BENCH_CONNECTIONS", "200"));
        o.put("clients", env("BENCH_CLIENTS", String.join(",", ALL_CLIENTS)));
        o.put("label", env("BENCH_LABEL", "1".equals(System.getenv("KTLS_VM")) ? "vm" : "host"));
        o.put("repo", ".");
        o.put("out", env("BENCH_OUT", ""));
        o.put("note", env("BENCH_NOTE", ""));
        o.put("jvm-opts", env("BENCH_JVM_OPTS", ""));
        o.put("profile", "");
        o.put("baseline", env("BENCH_BASELINE", ""));
        o.put("scenarios", env("BENCH_SCENARIOS", String.join(",", Scenario.DEFAULT.stream().map(s -> s.word).toList())
                + "," + COLD));
        o.put("cold-size", env("BENCH_COLD_SIZE_MIB", "1024"));
        o.put("cold-rounds", env("BENCH_COLD_ROUNDS", "7"));
        o.put("cold-large-rounds", env("BENCH_COLD_LARGE_ROUNDS", "3"));
        o.put("concurrency", env("BENCH_CONCURRENCY", "1,16,64,256"));
        o.put("concurrent-requests", env("BENCH_CONCURRENT_REQUESTS", "20000"));
        o.put("strace", "");
        o.put("ring-exchanges", env("BENCH_RING_EXCHANGES", "200000"));
        boolean write = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            if (a.equals("--no-write")) {
                write = false;
                continue;
            }
            if (a.equals("--profile") && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
                o.put("profile", "large:uring-userspace");
                continue;
            }
            if (a.equals("--strace") && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
                o.put("strace", "uring-userspace");
                continue;
            }
            if (!a.startsWith("--") || !o.containsKey(a.substring(2)) || i + 1 == args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + a);
            }
            o.put(a.substring(2), args[++i]);
        }
        List<String> clients = Arrays.stream(o.get("clients").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String c : clients) {
            if (!ALL_CLIENTS.contains(c)) {
                throw new IllegalArgumentException("unknown client " + c + " (known: " + ALL_CLIENTS + ")");
            }
        }
        List<Scenario> scenarios = new ArrayList<>();
        boolean cold = false;
        for (String word : o.get("scenarios").split(",")) {
            if (word.strip().equals(COLD)) {
                cold = true;
            } else if (!word.isBlank()) {
                Scenario s = Scenario.of(word.strip());
                if (!scenarios.contains(s)) {
                    scenarios.add(s);
                }
            }
        }
        if (scenarios.isEmpty() && !cold) {
            throw new IllegalArgumentException("--scenarios names none");
        }
        List<Integer> concurrency = new ArrayList<>();
        for (String level : o.get("concurrency").split(",")) {
            if (!level.isBlank()) {
                concurrency.add(positive(Map.of("concurrency", level.strip()), "concurrency"));
            }
        }
        if (concurrency.isEmpty()) {
            throw new IllegalArgumentException("--concurrency names no level");
        }
        String strace = o.get("strace");
        if (!strace.isEmpty() && !strace.startsWith("uring-")) {
            throw new IllegalArgumentException("--strace takes this project's client: uring-userspace or uring-ktls");
        }
        String profile = o.get("profile");
        if (!profile.isEmpty() && !profile.contains(":")) {
            profile = "large:" + profile;
        }
        Path repo = Path.of(o.get("repo")).toAbsolutePath().normalize();
        Path out = o.get("out").isEmpty() ? repo.resolve("docs/src/docs/asciidoc") : Path.of(o.get("out")).toAbsolutePath();
        List<String> jvm = Arrays.stream(o.get("jvm-opts").split("\\s+")).filter(s -> !s.isEmpty()).toList();
        Config c = new Config(positive(o, "rounds"), nonNegative(o, "warmup"), positive(o, "size"), positive(o, "requests"),
                positive(o, "connections"), clients, o.get("label"), out, o.get("note"), jvm, profile, write, repo,
                o.get("baseline").isEmpty() ? null : Path.of(o.get("baseline")).toAbsolutePath(), List.copyOf(scenarios),
                List.copyOf(concurrency), positive(o, "concurrent-requests"), strace, positive(o, "ring-exchanges"),
                cold, positive(o, "cold-size"), positive(o, "cold-rounds"), positive(o, "cold-large-rounds"));
        if (c.baseline != null && !Files.isRegularFile(c.baseline.resolve("final/target/ktls-https.jar"))) {
            throw new IllegalArgumentException("--baseline: no final/target/ktls-https.jar under " + c.baseline);
        }
        if (!c.label.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("--label must be lower-case letters, digits and dashes");
        }
        return c;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int positive(Map<String, String> o, String key) {
        int v = nonNegative(o, key);
        if (v == 0) {
            throw new IllegalArgumentException("--" + key + " must be positive");
        }
        return v;
    }

    private static int nonNegative(Map<String, String> o, String key) {
        try {
            int v = Integer.parseInt(o.get(key));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number: " + o.get(key));
        }
    }

    private Path work;

    /** The class path {@code final/bench} gives this harness, for a checkout at {@code repo}. */
    static String classPath(Path repo) {
        Path target = repo.resolve("final/target");
        return String.join(java.io.File.pathSeparator, target.resolve("test-classes").toString(),
                target.resolve("ktls-https.jar").toString(), target.resolve("lib/*").toString());
    }

    /** JVM options of every JVM client, the same for all. */
    List<String> workerJvmOptions() {
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m",
                // A crash report goes with the logs, not into the current directory.
                "-XX:ErrorFile=" + work.resolve("hs_err_%p.log"),
                // For Connection: close on the JDK client's new-connection requests (a restricted header).
                "-Djdk.httpclient.allowRestrictedHeaders=connection",
                // Idle connections kept between rounds, as this client's concurrent runs keep theirs (the
                // default, 30 s, is shorter than a round in the guest): the untimed requests then open none.
                "-Djdk.httpclient.keepalive.timeout=600"));
        options.addAll(config.jvmOptions());
        return options;
    }

    int run() throws Exception {
        if (config.profile().isEmpty() && config.strace().isEmpty() && config.runs(Scenario.RING)) {
            ring();
            if (config.scenarios().equals(List.of(Scenario.RING))) {
                return 0;
            }
        }
        Path work = workDirectory();
        this.work = work;
        boolean done = false;
        try {
            log("work directory " + work);
            Path root = Files.createDirectories(work.resolve("www"));
            long large = (long) config.sizeMib() * 1024 * 1024;
            // The long-lived clients' scenarios (and --profile, --strace, which run one of them).
            boolean warm = !config.scenarios().isEmpty() || !config.profile().isEmpty() || !config.strace().isEmpty();
            if (warm) {
                writeRandom(root.resolve("large.bin"), large);
            }
            writeRandom(root.resolve("small.bin"), 1024);
            long coldBytes = (long) config.coldSizeMib() * 1024 * 1024;
            if (config.cold() && config.profile().isEmpty() && config.strace().isEmpty()) {
                writeRandom(root.resolve("cold.bin"), coldBytes);
            }
            Pki pki = Pki.create(work);
            try (Nginx nginx = Nginx.start(pki, root, work.resolve("nginx"))) {
                log("nginx on 127.0.0.1:" + nginx.port() + " (" + Nginx.TLS_VERSION + " " + Nginx.CIPHER_SUITE + ")");
                URI largeUri = URI.create("https://127.0.0.1:" + nginx.port() + "/large.bin");
                URI smallUri = URI.create("https://127.0.0.1:" + nginx.port() + "/small.bin");
                int status;
                if (!config.profile().isEmpty()) {
                    status = profile(work, pki, nginx, largeUri, smallUri, large);
                } else if (!config.strace().isEmpty()) {
                    status = strace(work, pki, nginx, smallUri);
                } else {
                    // Cold first: no long-lived client exists yet to take CPU from the fresh processes.
                    if (config.cold()) {
                        cold(work, pki, nginx, coldBytes);
                    }
                    status = warm ? compare(work, pki, nginx, largeUri, smallUri, large) : 0;
                }
                done = true;
                return status;
            }
        } finally {
            if (done) {
                deleteTree(work);
            } else {
                // Keep the large files out of it: the logs and crash reports are what is wanted.
                Files.deleteIfExists(work.resolve("www/large.bin"));
                Files.deleteIfExists(work.resolve("www/cold.bin"));
                log("failed; clients' logs, nginx's logs and any JVM crash reports are kept in " + work);
            }
        }
    }

    // ---------------------------------------------------------------- the cold scenario

    /** Runs the cold scenario ({@link ColdStart}): prints its tables and writes perf/_cold-LABEL.adoc and its CSVs. */
    private void cold(Path work, Pki pki, Nginx nginx, long coldBytes) throws IOException, InterruptedException {
        ColdStart cold = ColdStart.of(config, work, pki.caPem());
        var results = cold.run(nginx, coldBytes);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("date", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
        e.put("machine", machine());
        e.put("code", code(config.repo()));
        e.put("server", Nginx.version() + " (one worker process) on 127.0.0.1, " + Nginx.TLS_VERSION + " "
                + Nginx.CIPHER_SUITE + ", ECDSA P-256 certificate from a throwaway CA, no session resumption; "
                + "files served from " + (work.startsWith("/dev/shm") ? "tmpfs (/dev/shm)" : work.getParent()));
        e.putAll(cold.descriptions());
        e.put("method", "a fresh process per transfer, body to /dev/null; one untimed round, then " + config.coldRounds()
                + " measured rounds of one GET of the 1 KiB file and " + config.coldLargeRounds() + " of one download of "
                + config.coldSizeMib() + " MiB, the clients' order rotated each round. Wall: from starting the process to "
                + "its exit; CPU: getrusage of the process once waited for (all threads, JIT and GC included; the "
                + "launcher's bash included). Figures: medians. nginx's access log must show each run's one request "
                + "answered with 200 and every byte.");
        if (!config.note().isBlank()) {
            e.put("note", config.note());
        }
        var report = new ColdStart.Report(config, e, results);
        System.out.println();
        System.out.print(report.text());
        if (config.write()) {
            for (Path p : report.write(config.out(), config.label())) {
                System.out.println("wrote " + p);
            }
        }
    }

    // ---------------------------------------------------------------- the comparison

    private int compare(Path work, Pki pki, Nginx nginx, URI largeUri, URI smallUri, long large) throws Exception {
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Contender> contenders = new ArrayList<>();
        try {
            for (String name : config.clients()) {
                if (name.equals("uring-ktls")) {
                    String why = ktlsUnavailable();
                    if (why != null) {
                        skipped.put(name, why);
                        log("skipping uring-ktls: " + why);
                        continue;
                    }
                }
                contenders.add(start(name, work, pki));
                if (config.baseline() != null && name.startsWith("uring-")) {
                    contenders.add(new WorkerProcess(name + "@base", "the same mode from " + config.baseline(),
                            pki.caPem(), work.resolve(name + "-base.log"), workerJvmOptions(), classPath(config.baseline()),
                            config.pool()));
                }
            }
            List<String> names = contenders.stream().map(Contender::name).toList();
            List<Scenario> single = Scenario.SINGLE.stream().filter(config::runs).toList();
            Map<Scenario, Map<String, Summary>> summaries = new EnumMap<>(Scenario.class);
            for (Scenario s : single) {
                summaries.put(s, summaries(names, s));
            }
            // A baseline's worker predates the concurrent scenarios.
            List<String> concurrentNames = names.stream().filter(n -> !n.endsWith("@base")).toList();
            if (config.baseline() != null && (config.runs(Scenario.CONCURRENT) || config.runs(Scenario.PARALLEL))) {
                log("the @base clients run the single-connection scenarios only");
            }
            Map<Integer, Map<String, Summary>> concurrent = new LinkedHashMap<>();
            if (config.runs(Scenario.CONCURRENT)) {
                config.concurrency().forEach(level -> concurrent.put(level, summaries(concurrentNames, Scenario.CONCURRENT)));
            }
            Map<String, Summary> parallel = config.runs(Scenario.PARALLEL)
                    ? summaries(concurrentNames, Scenario.PARALLEL) : new LinkedHashMap<>();
            int total = config.warmup() + config.rounds();
            int serial = 0;
            for (int round = 0; round < total; round++) {
                boolean measured = round >= config.warmup();
                boolean first = round == 0;
                String phase = measured ? "round " + (round - config.warmup() + 1) + "/" + config.rounds()
                        : "warm-up " + (round + 1) + "/" + config.warmup();
                List<Contender> order = rotate(contenders, round);
                for (Scenario scenario : single) {
                    for (Contender c : order) {
                        if (skipped.containsKey(c.name())) {
                            continue;
                        }
                        String runId = "r" + (++serial);
                        URI uri = scenario == Scenario.LARGE ? largeUri : URI.create(smallUri + "?run=" + runId);
                        int n = scenario == Scenario.KEEPALIVE ? config.requests() : config.connections();
                        Measurement m = measure(contenders, c, first, skipped, () -> c.run(scenario, uri, n));
                        if (m == null) {
                            continue;
                        }
                        verify(nginx, c, scenario, runId, n, m, large);
                        log(String.format(Locale.ROOT, "%-13s %-9s %-15s %s", phase, scenario.word, c.name(), describe(scenario, m)));
                        if (measured) {
                            summaries.get(scenario).get(c.name()).runs.add(m);
                        }
                    }
                }
                for (int level : concurrent.keySet()) {
                    for (Contender c : order) {
                        if (skipped.containsKey(c.name()) || !concurrentNames.contains(c.name())) {
                            continue;
                        }
                        String runId = "r" + (++serial);
                        URI uri = URI.create(smallUri + "?run=" + runId);
                        int n = config.concurrentRequests();
                        long server = nginx.cpuNanos();
                        Measurement m = measure(contenders, c, first, skipped, () -> c.concurrent(uri, level, n));
                        server = nginx.cpuNanos() - server;
                        if (m == null) {
                            continue;
                        }
                        int connections = verifyConcurrent(nginx, c, runId, level, n, m);
                        int served = n + c.untimedRequests(level);
                        log(String.format(Locale.ROOT, "%-13s %-9s %-15s %s on %d conn, nginx %3.0f CPU µs/req", phase,
                                "C=" + level, c.name(), describe(Scenario.CONCURRENT, m), connections, server / 1e3 / served));
                        if (measured) {
                            concurrent.get(level).get(c.name()).runs.add(m);
                            concurrent.get(level).get(c.name()).server.add(new long[] {server, served});
                        }
                    }
                }
                if (config.runs(Scenario.PARALLEL)) {
                    for (Contender c : order) {
                        if (skipped.containsKey(c.name()) || !concurrentNames.contains(c.name())) {
                            continue;
                        }
                        int k = Scenario.PARALLEL_DOWNLOADS;
                        long server = nginx.cpuNanos();
                        Measurement m = measure(contenders, c, first, skipped, () -> c.parallel(largeUri, k));
                        server = nginx.cpuNanos() - server;
                        if (m == null) {
                            continue;
                        }
                        if (m.bytes() != k * large) {
                            throw new IOException(c.name() + ": " + k + " downloads at once got " + m.bytes()
                                    + " bytes, expected " + k + " × " + large);
                        }
                        log(String.format(Locale.ROOT, "%-13s %-9s %-15s %s", phase, k + "×large", c.name(),
                                describe(Scenario.PARALLEL, m)));
                        if (measured) {
                            parallel.get(c.name()).runs.add(m);
                            parallel.get(c.name()).server.add(new long[] {server, k});
                        }
                    }
                }
            }
            List<String> reported = names.stream().filter(n -> !skipped.containsKey(n)).toList();
            Map<String, String> clientDescriptions = new LinkedHashMap<>();
            for (Contender c : contenders) {
                if (!skipped.containsKey(c.name())) {
                    clientDescriptions.put(c.name(), c.description());
                }
            }
            Report report = new Report(config, environment(work, clientDescriptions), reported, skipped, summaries,
                    concurrent, parallel);
            System.out.println();
            System.out.print(report.text());
            if (config.write()) {
                for (Path p : report.write(config.out(), config.label())) {
                    System.out.println("wrote " + p);
                }
            }
            return 0;
        } finally {
            contenders.forEach(Contender::close);
        }
    }

    private static Map<String, Summary> summaries(List<String> names, Scenario s) {
        Map<String, Summary> m = new LinkedHashMap<>();
        names.forEach(n -> m.put(n, new Summary(n, s)));
        return m;
    }

    /** One measured run of a contender. */
    private interface Run {
        Measurement run() throws IOException, InterruptedException;
    }

    // tag::isolation[]
    /**
     * {@code run} of contender {@code c}, with every other JVM client stopped meanwhile (SIGSTOP, then
     * SIGCONT): an idle JVM's threads, its GC and JIT compilers or an idle client's event loop, would
     * otherwise take CPU from the one being measured on a machine of two cores. Null once uring-ktls
     * has been skipped because the kernel declined kTLS on its first run
     * ({@link dev.ktlsuring.fallback.TlsMode#KTLS} fails with that); other errors are thrown.
     */
    private static Measurement measure(List<Contender> all, Contender c, boolean first, Map<String, String> skipped,
                                       Run run) throws IOException, InterruptedException {
        List<WorkerProcess> others = all.stream().filter(o -> o != c && o instanceof WorkerProcess)
                .map(o -> (WorkerProcess) o).toList();
        try {
            for (WorkerProcess o : others) {
                o.pause(true);
            }
            return run.run();
        } catch (IOException e) {
            if (c.name().startsWith("uring-ktls") && first
                    && String.valueOf(e.getMessage()).contains("KtlsUnavailableException")) {
                skipped.put(c.name(), "kTLS could not be used: " + e.getMessage());
                log("skipping uring-ktls: " + e.getMessage());
                return null;
            }
            throw e;
        } finally {
            for (WorkerProcess o : others) {
                o.pause(false);
            }
        }
    }
    // end::isolation[]

    // ---------------------------------------------------------------- the ring scenario

    /** The ring scenario, in this JVM, before any other: nothing else of the benchmark runs meanwhile. */
    private void ring() throws IOException, InterruptedException {
        log("ring: " + RingBench.CONNECTIONS + " loopback connections, " + config.ringExchanges()
                + " exchanges per variant, " + config.warmup() + " warm-up + " + config.rounds() + " measured rounds");
        var runs = RingBench.measure(config.warmup(), config.rounds(), config.ringExchanges(), Benchmark::log);
        Path costs = config.repo().resolve("docs/src/docs/asciidoc/perf/concurrency-" + config.label() + ".csv");
        RingReport report = new RingReport(config, ringEnvironment(costs), runs, RingReport.clientCosts(costs));
        System.out.println();
        System.out.print(report.text());
        if (config.write()) {
            for (Path p : report.write(config.out(), config.label())) {
                System.out.println("wrote " + p);
            }
        }
    }

    private Map<String, String> ringEnvironment(Path costs) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("date", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
        e.put("machine", machine());
        e.put("code", code(config.repo()));
        e.put("JVM", "JDK " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.vendor")
                + "), the harness's own (final/bench: -Xmx256m)");
        e.put("method", ringMethod());
        e.put("client", "this client's CPU per request at C = " + RingReport.LEVEL + ": the concurrency medians committed in "
                + config.repo().relativize(costs));
        if (!config.note().isBlank()) {
            e.put("note", config.note());
        }
        return e;
    }

    // tag::ring-method[]
    private String ringMethod() {
        return config.warmup() + " warm-up + " + config.rounds() + " measured rounds; in each round every variant "
                + "runs once, the order rotated each round. A run: a fresh ring (256 entries), "
                + RingBench.CONNECTIONS + " TCP connections over 127.0.0.1 (TCP_NODELAY) to an echo peer in the same "
                + "JVM (one platform thread, java.nio Selector, the same in every variant); then "
                + config.ringExchanges() + " exchanges timed, every connection busy: an exchange is a "
                + RingBench.MESSAGE + "-byte send and the whole echo received into the connection's buffer and checked "
                + "(its number at both ends). One thread drives the ring with prepare, submitAndWait and reap, no "
                + "event loop; each wait is for a quarter of the completions the exchanges in flight will post, at "
                + "most 100 µs, as the client's loop waits. (a) a send linked to a recv, as the client does; (b) the "
                + "same on registered files (IORING_REGISTER_FILES, IOSQE_FIXED_FILE); (c) one send per exchange and "
                + "one multishot recv per connection (IORING_RECV_MULTISHOT, IOSQE_BUFFER_SELECT), armed before the "
                + "timed exchanges and again whenever a completion comes without IORING_CQE_F_MORE, into a ring of "
                + RingBench.BUFFERS + " provided buffers of " + RingBench.MESSAGE + " bytes (IORING_REGISTER_PBUF_RING), "
                + "each copied into the connection's buffer and handed back at once; (d) (c) on registered files. "
                + "CPU: getrusage of the whole process over the timed exchanges (the peer's share included, the same "
                + "in every variant); ring thread: that thread's own CPU time (ThreadMXBean). io_uring_enter and "
                + "entries: the ring's own counts. Figures: medians over the measured rounds.";
    }
    // end::ring-method[]

    private Contender start(String name, Path work, Pki pki) throws IOException, InterruptedException {
        String jdk = "JDK " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.vendor") + ")";
        String version = Benchmark.class.getPackage().getImplementationVersion();
        String ours = "ktls-uring-java" + (version == null ? "" : " " + version);
        return switch (name) {
            case "uring-userspace" -> new WorkerProcess(name, ours + ", TlsMode.USERSPACE: records sealed and opened by "
                    + "BouncyCastle on JCA (SunJCE AES-GCM), every byte through io_uring; " + jdk, pki.caPem(),
                    work.resolve(name + ".log"), workerJvmOptions(), config.pool());
            case "uring-ktls" -> new WorkerProcess(name, ours + ", TlsMode.KTLS: records by the kernel (kTLS), "
                    + "every byte through io_uring; " + jdk, pki.caPem(), work.resolve(name + ".log"), workerJvmOptions(),
                    config.pool());
            case "jdk" -> new WorkerProcess(name, "java.net.http.HttpClient, HTTP/1.1, SunJSSE; " + jdk, pki.caPem(),
                    work.resolve(name + ".log"), workerJvmOptions(), config.pool());
            case "curl" -> new Curl(pki.caPem(), work);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Why this client can't run kTLS here, or null if the kernel offers the tls ULP. */
    static String ktlsUnavailable() {
        try {
            String ulp = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_available_ulp")).strip();
            if (Arrays.asList(ulp.split("\\s+")).contains("tls")) {
                return null;
            }
            return "kernel " + uname() + " has no tls ULP (tcp_available_ulp: " + (ulp.isEmpty() ? "empty" : ulp)
                    + "); run the benchmark in the kTLS VM: final/bench --vm";
        } catch (IOException e) {
            return "cannot read /proc/sys/net/ipv4/tcp_available_ulp: " + e.getMessage();
        }
    }

    /** Checks that a run did what it claims: every byte of the large file; the connections nginx saw. */
    private static void verify(Nginx nginx, Contender c, Scenario scenario, String runId, int n, Measurement m, long large)
            throws IOException, InterruptedException {
        if (scenario == Scenario.LARGE) {
            if (m.bytes() != large) {
                throw new IOException(c.name() + ": large download got " + m.bytes() + " bytes, expected " + large);
            }
            return;
        }
        if (m.bytes() != 1024L * n || m.latencyNanos().length != n) {
            throw new IOException(c.name() + ": " + scenario.word + " got " + m.bytes() + " bytes in "
                    + m.latencyNanos().length + " requests, expected " + n + " × 1024");
        }
        int[] seen = nginx.requestsAndConnections(runId);
        int expectedConnections = scenario == Scenario.KEEPALIVE ? 1 : n + 1;
        if (seen[0] != n + 1 || seen[1] != expectedConnections) {
            throw new IOException(c.name() + ": " + scenario.word + " run " + runId + ": nginx saw " + seen[0]
                    + " requests on " + seen[1] + " connections, expected " + (n + 1) + " on " + expectedConnections);
        }
    }

    /**
     * Checks a concurrent run: every request and body counted, and nginx's access log shows the
     * untimed and timed requests of this run, over at least one and at most {@code level} connections.
     *
     * @return the connections nginx saw
     */
    static int verifyConcurrent(Nginx nginx, Contender c, String runId, int level, int n, Measurement m)
            throws IOException, InterruptedException {
        if (m.requests() != n || m.bytes() != 1024L * n || m.latencyNanos().length == 0 || m.latencyNanos().length > n) {
            throw new IOException(c.name() + ": concurrent run " + runId + " got " + m.bytes() + " bytes in " + m.requests()
                    + " requests (" + m.latencyNanos().length + " timed), expected " + n + " × 1024");
        }
        int[] seen = nginx.requestsAndConnections(runId);
        int requests = n + c.untimedRequests(level);
        if (seen[0] != requests || seen[1] < 1 || seen[1] > level) {
            throw new IOException(c.name() + ": concurrent run " + runId + " at C = " + level + ": nginx saw " + seen[0]
                    + " requests on " + seen[1] + " connections, expected " + requests + " on 1 to " + level);
        }
        return seen[1];
    }

    private static String describe(Scenario s, Measurement m) {
        if (s.download()) {
            return String.format(Locale.ROOT, "%8.1f MB/s  %6.2f CPU s/GB (sys %2.0f%%)", m.bytes() * 1e3 / m.wallNanos(),
                    (double) m.cpu().totalNanos() / m.bytes(), 100.0 * m.cpu().systemNanos() / Math.max(1, m.cpu().totalNanos()));
        }
        int n = m.requests();
        return String.format(Locale.ROOT, "%8.0f req/s  p50 %7.0f µs  p99 %7.0f µs  %6.0f CPU µs/req", n * 1e9 / m.wallNanos(),
                Stats.percentile(m.latencyNanos(), 50) / 1e3, Stats.percentile(m.latencyNanos(), 99) / 1e3,
                m.cpu().totalNanos() / 1e3 / n) + (m.enterCalls() < 0 ? ""
                : String.format(Locale.ROOT, "  %5.3f io_uring_enter/req", (double) m.enterCalls() / n));
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> rotated = new ArrayList<>(list);
        if (!rotated.isEmpty()) {
            java.util.Collections.rotate(rotated, -(by % rotated.size()));
        }
        return rotated;
    }

    private Map<String, String> environment(Path work, Map<String, String> clients) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("date", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
        e.put("machine", machine());
        e.put("code", code(config.repo()));
        e.put("server", Nginx.version() + " (one worker process) on 127.0.0.1, " + Nginx.TLS_VERSION + " "
                + Nginx.CIPHER_SUITE + ", ECDSA P-256 certificate from a throwaway CA, no session resumption; "
                + "files served from " + (work.startsWith("/dev/shm") ? "tmpfs (/dev/shm)" : work.getParent()));
        clients.forEach((name, description) -> e.put(name, description));
        if (Scenario.SINGLE.stream().anyMatch(config::runs)) {
            e.put("method", singleMethod());
        }
        if (config.runs(Scenario.CONCURRENT) || config.runs(Scenario.PARALLEL)) {
            e.put("concurrency", concurrencyMethod());
        }
        if (!config.note().isBlank()) {
            e.put("note", config.note());
        }
        return e;
    }

    private String singleMethod() {
        return config.warmup() + " warm-up + " + config.rounds() + " measured rounds; in each round every client "
                + "runs each scenario in turn, the order rotated each round, the other JVM clients stopped (SIGSTOP) "
                + "meanwhile. Figures: medians over the measured rounds; "
                + "latency percentiles over all measured requests. JVM clients: one JVM per client for the whole "
                + "run (" + String.join(" ", workerJvmOptions().stream().filter(o -> !o.startsWith("-XX:ErrorFile=")).toList())
                + "). CPU: getrusage of the whole client process "
                + "(JVM: all threads incl. GC and JIT; curl: incl. process start-up). curl's times are its time_total "
                + "per transfer.";
    }

    // tag::concurrency-method[]
    private String concurrencyMethod() {
        return config.warmup() + " warm-up + " + config.rounds() + " measured rounds; in each round, for each C in "
                + "turn, every client makes " + config.concurrentRequests() + " GETs of the 1 KiB file with C at once, "
                + "then " + Scenario.PARALLEL_DOWNLOADS + " downloads of the large file at once; the order of the "
                + "clients rotated each round; while one client runs, the other JVM clients are stopped (SIGSTOP), "
                + "so that their idle threads take no CPU from it. JVM clients: one JVM per client for the whole run (" + String.join(" ",
                workerJvmOptions().stream().filter(o -> !o.startsWith("-XX:ErrorFile=")).toList()) + "). This client: "
                + "one HttpsClient per JVM for the whole run (withPool("
                + config.pool() + ", 10 min)), C virtual threads each calling the blocking send(Request) in a loop, "
                + "taking request numbers from a shared counter. JDK HttpClient: HTTP/1.1, sendAsync with at most C in "
                + "flight (a Semaphore), one client per C for the whole run (its pool reuses the idle connection "
                + "returned longest ago, so a client shared by all levels would spread a small C's requests over a "
                + "larger C's connections); "
                + "its pool opens connections as it needs them. Both JVM clients first send C untimed requests at "
                + "once, which open (or find) the connections, then the timed ones; every body is compared with the "
                + "file served. curl: one process per run, --parallel --parallel-max C --parallel-immediate with the "
                + "URLs in a -K file, bodies to /dev/null (status and length checked); its wall time and CPU "
                + "(getrusage of the child) include process start-up and the TLS handshakes of its C connections, "
                + "and its latency percentiles leave out the transfers that opened a connection. nginx's access log "
                + "must show every request of a run on at most C connections. Latency: from the call to the whole "
                + "response, body in memory. io_uring_enter and operations: the ring's own counts over the timed "
                + "requests. nginx CPU: its one process's user + system time over the client's run (/proc, 10 ms "
                + "steps), per request it served, untimed ones included (per GB for the downloads). Downloads: this client, " + Scenario.PARALLEL_DOWNLOADS + " virtual threads on the same "
                + "shared client; JDK: " + Scenario.PARALLEL_DOWNLOADS + " sendAsync on one client kept for the run; "
                + "curl: --parallel with " + Scenario.PARALLEL_DOWNLOADS + " URLs; MB/s: all bytes over the wall time. "
                + "Rates and CPU: medians over the measured rounds; latency percentiles over all measured requests.";
    }
    // end::concurrency-method[]

    /** The commit measured, and whether tracked files differed from it. */
    static String code(Path repo) {
        try {
            Process head = new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "--short=10", "HEAD")
                    .redirectErrorStream(true).start();
            String commit = new String(head.getInputStream().readAllBytes()).strip();
            Process status = new ProcessBuilder("git", "-C", repo.toString(), "status", "--porcelain",
                    "--untracked-files=no").redirectErrorStream(true).start();
            boolean changed = !new String(status.getInputStream().readAllBytes()).isBlank();
            if (head.waitFor() != 0 || status.waitFor() != 0) {
                return "not a git checkout";
            }
            return "ktls-uring-java commit " + commit + (changed ? " with uncommitted changes" : "");
        } catch (IOException e) {
            return "unknown (no git)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst("^[^:]*:\\s*", ""))
                    .orElse(cpu);
        } catch (IOException ignored) {
            // keep "unknown CPU"
        }
        return "Linux " + uname() + ", " + Runtime.getRuntime().availableProcessors() + " × " + cpu
                + ("1".equals(System.getenv("KTLS_VM")) ? " (QEMU TCG guest of .ci/ktls-vm: emulated CPU)" : "");
    }

    private static String uname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    // ---------------------------------------------------------------- profiling

    private int profile(Path work, Pki pki, Nginx nginx, URI largeUri, URI smallUri, long large) throws Exception {
        String[] spec = config.profile().split(":", 2);
        Scenario scenario = Scenario.of(spec[0]);
        if (scenario == Scenario.PARALLEL || scenario == Scenario.RING) {
            throw new IllegalArgumentException("--profile takes large, keepalive, newconn or concurrent (at C = 64)");
        }
        int level = config.concurrency().contains(64) ? 64 : config.concurrency().getLast();
        String client = spec[1];
        if (client.equals("curl") || !ALL_CLIENTS.contains(client)) {
            throw new IllegalArgumentException("--profile takes a JVM client: uring-userspace, uring-ktls or jdk");
        }
        if (client.equals("uring-ktls") && ktlsUnavailable() != null) {
            System.err.println("bench: " + ktlsUnavailable());
            return 4;
        }
        Path recording = config.repo().resolve("final/target/profile-" + scenario.word + "-" + client + ".jfr");
        Files.createDirectories(recording.getParent());
        java.time.Instant from = null;
        try (var worker = (WorkerProcess) start(client, work, pki)) {
            int n = switch (scenario) {
                case KEEPALIVE -> config.requests();
                case CONCURRENT -> config.concurrentRequests();
                default -> config.connections();
            };
            for (int i = 0; i < config.warmup() + config.rounds(); i++) {
                boolean measured = i >= config.warmup();
                if (i == config.warmup()) {
                    worker.call("jfr-start " + recording);
                    from = java.time.Instant.now();
                }
                URI uri = scenario == Scenario.LARGE ? largeUri : URI.create(smallUri + "?run=p" + i);
                Measurement m = scenario == Scenario.CONCURRENT ? worker.concurrent(uri, level, n) : worker.run(scenario, uri, n);
                log(String.format(Locale.ROOT, "%-9s %-9s %-15s %s", measured ? "profiled" : "warm-up",
                        scenario == Scenario.CONCURRENT ? "C=" + level : scenario.word, client, describe(scenario, m)));
            }
            worker.call("jfr-stop");
        }
        System.out.println();
        System.out.print(ProfileSummary.of(recording, from).text());
        System.out.println("recording: " + recording + " (jfr print / JDK Mission Control)");
        return 0;
    }

    // ---------------------------------------------------------------- strace cross-check

    // tag::strace[]
    /**
     * The ring's count of its {@code io_uring_enter} calls, checked against the kernel's view: after the
     * warm-up rounds, one concurrent run at C = 64 with {@code strace -f -C -e trace=io_uring_enter,getrusage}
     * attached to the worker ({@code -C}: the {@code -c} summary and the calls themselves). The worker
     * calls {@code getrusage(RUSAGE_SELF)} just before and just after its timed requests (their CPU time), so the
     * io_uring_enter calls between those two are the timed requests', which the ring counts too. strace
     * stops the traced threads at every system call, so the run is slower and its batches differ from an
     * untraced run's: the point is that both count the same calls. Before that, with no strace, the
     * ring's count and the worker's CPU over two idle seconds.
     */
    private int strace(Path work, Pki pki, Nginx nginx, URI smallUri) throws Exception {
        String client = config.strace();
        if (client.equals("uring-ktls") && ktlsUnavailable() != null) {
            System.err.println("bench: " + ktlsUnavailable());
            return 4;
        }
        int level = config.concurrency().contains(64) ? 64 : config.concurrency().getLast();
        int n = config.concurrentRequests();
        try (var worker = (WorkerProcess) start(client, work, pki)) {
            for (int i = 0; i < config.warmup(); i++) {
                String runId = "s" + i;
                Measurement m = worker.concurrent(URI.create(smallUri + "?run=" + runId), level, n);
                verifyConcurrent(nginx, worker, runId, level, n, m);
                log(String.format(Locale.ROOT, "%-9s %-9s %-15s %s", "warm-up", "C=" + level, client,
                        describe(Scenario.CONCURRENT, m)));
            }
            Thread.sleep(500);
            long idleStart = ringEnters(worker), idleCpu = processCpuNanos(worker.pid()), idleFrom = System.nanoTime();
            Thread.sleep(2000);
            long idleEnters = ringEnters(worker) - idleStart, idleCpuUsed = processCpuNanos(worker.pid()) - idleCpu;
            double idleSeconds = (System.nanoTime() - idleFrom) / 1e9;

            Path trace = work.resolve("strace.txt"), messages = work.resolve("strace.log");
            Process strace = new ProcessBuilder("strace", "-f", "-C", "-e", "trace=io_uring_enter,getrusage", "-o",
                    trace.toString(), "-p", Long.toString(worker.pid())).redirectErrorStream(true)
                    .redirectOutput(messages.toFile()).start();
            // "strace: Process PID attached with N threads", once it has attached to all of them.
            long waitUntil = System.nanoTime() + 30_000_000_000L;
            String attached = null;
            while (strace.isAlive() && attached == null && System.nanoTime() < waitUntil) {
                Thread.sleep(100);
                attached = Files.readAllLines(messages).stream().filter(l -> l.contains("attached")).findFirst().orElse(null);
            }
            if (!strace.isAlive() || attached == null) {
                strace.destroy();
                throw new IOException("strace did not attach to the worker (pid " + worker.pid() + "): "
                        + String.join(" ", Files.readAllLines(messages)));
            }
            long before = ringEnters(worker);
            String runId = "traced";
            Measurement m = worker.concurrent(URI.create(smallUri + "?run=" + runId), level, n);
            long after = ringEnters(worker);
            strace.destroy();                       // SIGTERM: strace detaches and writes its summary
            if (!strace.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                strace.destroyForcibly();
                throw new IOException("strace did not finish after SIGTERM");
            }
            verifyConcurrent(nginx, worker, runId, level, n, m);
            List<String> lines = Files.readAllLines(trace);
            // A call is one line with "io_uring_enter(" (finished, or "<unfinished ...>" and resumed later).
            List<Integer> markers = new ArrayList<>();
            long total = 0, between = 0;
            for (String line : lines) {
                if (line.contains(" getrusage(RUSAGE_SELF")) {
                    markers.add(markers.size());
                } else if (line.contains(" io_uring_enter(")) {
                    total++;
                    if (markers.size() == 1) {
                        between++;
                    }
                }
            }
            long summary = lines.stream().map(l -> l.strip().split("\\s+"))
                    .filter(w -> w.length >= 5 && w[w.length - 1].equals("io_uring_enter"))
                    .mapToLong(w -> Long.parseLong(w[3])).findFirst()
                    .orElseThrow(() -> new IOException("no io_uring_enter line in strace's summary (" + trace + ")"));
            if (markers.size() != 2) {
                throw new IOException("expected the worker's two getrusage(RUSAGE_SELF) calls around its timed requests in strace's "
                        + "trace, found " + markers.size() + " (" + trace + ")");
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "io_uring_enter calls of %s: one concurrent run at C = %d, %d timed requests "
                    + "after %d untimed (%s)%n", client, level, n, level, attached.replace("strace: ", ""));
            System.out.printf(Locale.ROOT, "  timed requests: ring %d, strace %d (between the worker's two getrusage calls)"
                    + "; %.3f per request, %d operations, %.0f req/s under strace%n", m.enterCalls(), between,
                    (double) m.enterCalls() / n, m.operations(), n * 1e9 / m.wallNanos());
            System.out.printf(Locale.ROOT, "  run with its untimed requests: ring %d (read after strace attached and "
                    + "before it detached), strace -C summary %d, trace lines %d%n", after - before, summary, total);
            System.out.printf(Locale.ROOT, "  idle before it, no strace: %d io_uring_enter in %.1f s (%.0f/s), worker "
                    + "CPU %.0f ms (%.1f%% of one core)%n", idleEnters, idleSeconds, idleEnters / idleSeconds,
                    idleCpuUsed / 1e6, idleCpuUsed / 1e7 / idleSeconds);
            System.out.println("strace's summary:");
            int at = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("% time")) {
                    at = i;
                }
            }
            lines.subList(at, lines.size()).forEach(l -> System.out.println("  " + l));
            return 0;
        }
    }

    private static long ringEnters(WorkerProcess worker) throws IOException {
        return Long.parseLong(worker.call("counters").split(" ")[1]);
    }

    /** User + system CPU of process {@code pid} so far, from /proc/PID/stat (clock ticks of 10 ms). */
    static long processCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] w = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(w[11]) + Long.parseLong(w[12])) * 10_000_000L;
    }
    // end::strace[]

    // ---------------------------------------------------------------- files

    private Path workDirectory() throws IOException {
        String forced = System.getenv("BENCH_WORK");
        if (forced != null && !forced.isBlank()) {
            return Files.createTempDirectory(Files.createDirectories(Path.of(forced)), "ktls-bench");
        }
        // tmpfs if it has room: the large file is then served from memory, with no disk in the picture.
        Path shm = Path.of("/dev/shm");
        long needed = (long) config.sizeMib() * 1024 * 1024 + (config.cold() ? (long) config.coldSizeMib() << 20 : 0)
                + (64L << 20);
        if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > needed) {
            return Files.createTempDirectory(shm, "ktls-bench");
        }
        return Files.createTempDirectory("ktls-bench");
    }

    /** The bytes {@link #writeRandom} writes into a 1 KiB file: the small file every request fetches. */
    static byte[] smallFile() {
        var random = new SplittableRandom(7);
        byte[] chunk = new byte[1 << 20];
        random.nextBytes(chunk);
        return Arrays.copyOf(chunk, 1024);
    }

    static void writeRandom(Path file, long size) throws IOException {
        var random = new SplittableRandom(7);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; ) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void log(String line) {
        System.err.println("bench: " + line);
    }
}
