package dev.ktlsuring.cli;

import dev.ktlsuring.client.ClientOptions;
import dev.ktlsuring.client.HttpsClient;
import dev.ktlsuring.client.Request;
import dev.ktlsuring.client.RequestBody;
import dev.ktlsuring.handshake.TlsOptions;
import dev.ktlsuring.handshake.Trust;
import dev.ktlsuring.http.HttpResponse;
import dev.ktlsuring.http.ResponseReader;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code ktls-https}: a curl-like command on the whole pipeline, and the embedded demo.
 * Exit status 0 when an exchange completed (whatever its HTTP status); otherwise one line on standard
 * error and a non-zero status ({@link ExitStatus}).
 */
public final class Main {

    private final PrintStream out, err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Not over System.out: that PrintStream would keep a closed pipe's error from this one.
        var stdout = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        int status = new Main(stdout, System.err).run(Arguments.typed(args));
        stdout.flush();
        System.exit(status);
    }

    /** Runs one command line; returns the exit status. */
    int run(String... args) {
        CommandLine command;
        try {
            command = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            err.println("ktls-https: " + printable(e.getMessage()));
            return ExitStatus.USAGE.code;
        }
        if (command.help()) {
            out.print(CommandLine.USAGE);
            return ExitStatus.OK.code;
        }
        try {
            return command.demo() ? demo(command) : request(command);
        } catch (IOException | UncheckedIOException | GeneralSecurityException | IllegalArgumentException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println("ktls-https: " + message(cause));
            return ExitStatus.of(cause).code;
        } catch (RuntimeException e) {
            err.println("ktls-https: internal error: " + printable(e.toString()));
            return ExitStatus.FAILURE.code;
        }
    }

    // tag::request[]
    private int request(CommandLine command) throws IOException {
        ClientOptions options = options(command, Trust.system());
        List<URI> urls = command.urls();
        // Local files first: one that cannot be read fails the command before any connection.
        RequestBody body = body(command.data(), urls.size() > 1);
        try (Closeable closeBody = closer(body)) {
            try {
                new Request(command.method(), urls.getFirst(), command.headers(), body);
            } catch (IllegalArgumentException e) {
                err.println("ktls-https: " + printable(e.getMessage()));   // headers that cannot frame this body
                return ExitStatus.USAGE.code;
            }
            try (var client = HttpsClient.create(options)) {
                if (urls.size() == 1) {
                    transfer(client, command, 0, body, false);
                    return ExitStatus.OK.code;
                }
                return command.parallel() ? parallel(client, command, body) : sequential(client, command, body);
            }
        }
    }

    /** One URL's exchange, its body to its {@code -o} file or to standard output. */
    private void transfer(HttpsClient client, CommandLine command, int index, RequestBody body, boolean wholeBodies)
            throws IOException {
        Request request = new Request(command.method(), command.urls().get(index), command.headers(), body);
        try (var output = new BodyOutput(command.output(index), wholeBodies)) {
            client.send(request, new ResponseReader.Heads() {
                @Override
                public OutputStream bodySink(HttpResponse head) {
                    OutputStream sink = output.open();     // -o FILE is created only once a response is in
                    if (command.includeHeaders()) {
                        output.write(headBytes(head));
                    }
                    return sink;
                }

                @Override
                public void interim(HttpResponse head) {
                    if (command.includeHeaders()) {        // 100 Continue, 103 Early Hints: as curl -i
                        output.open();
                        output.write(headBytes(head));
                    }
                }
            });
            output.finish();
        }
    }
    // end::request[]

    // tag::several[]
    /**
     * URLs one after another on one client, so that a kept-alive connection to a host serves the next
     * URL to it. A failure is reported with its URL and the next URL goes on; the exit status is that of
     * the first failure.
     */
    private int sequential(HttpsClient client, CommandLine command, RequestBody body) {
        int[] status = new int[command.urls().size()];
        for (int i = 0; i < status.length; i++) {
            status[i] = attempt(client, command, i, body, false);
        }
        return firstFailure(status);
    }

    /**
     * {@code -Z}: the URLs at once, at most {@code --parallel-max} in flight, each on a virtual thread,
     * all on the client's one io_uring ring. Bodies for standard output are written whole, each as its
     * transfer ends, so that two bodies never interleave.
     */
    private int parallel(HttpsClient client, CommandLine command, RequestBody body) {
        int[] status = new int[command.urls().size()];
        var slots = new java.util.concurrent.Semaphore(command.parallelMax());
        try (var transfers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < status.length; i++) {
                int index = i;
                slots.acquireUninterruptibly();
                transfers.submit(() -> {
                    try {
                        status[index] = attempt(client, command, index, body, true);
                    } finally {
                        slots.release();
                    }
                });
            }
        }                                                  // close() waits for every transfer
        return firstFailure(status);
    }

    /** One transfer of several: its exit status, a failure reported on one line that names its URL. */
    private int attempt(HttpsClient client, CommandLine command, int index, RequestBody body, boolean wholeBodies) {
        try {
            transfer(client, command, index, body, wholeBodies);
            return ExitStatus.OK.code;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println("ktls-https: " + command.urls().get(index) + ": " + message(cause));
            return ExitStatus.of(cause).code;
        } catch (RuntimeException e) {
            err.println("ktls-https: " + command.urls().get(index) + ": internal error: " + printable(e.toString()));
            return ExitStatus.FAILURE.code;
        }
    }

    private static int firstFailure(int[] status) {
        for (int s : status) {
            if (s != ExitStatus.OK.code) {
                return s;
            }
        }
        return ExitStatus.OK.code;
    }
    // end::several[]

    /** The status line and header fields as received, for {@code -i}. */
    private static byte[] headBytes(HttpResponse response) {
        var head = new StringBuilder(response.statusLine()).append("\r\n");
        response.headers().forEach(h -> head.append(h).append("\r\n"));
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    // tag::demo[]
    private int demo(CommandLine command) throws IOException, GeneralSecurityException {
        try (var server = new DemoServer()) {
            out.println("ktls-uring-java demo: HTTPS server on 127.0.0.1:" + server.port()
                    + " with a throwaway certificate");
            Consumer<String> pipeline = line -> {
                if (!line.startsWith("> ") && !line.startsWith("< ") || command.verbose()) {
                    out.println(line);
                }
            };
            ClientOptions options = options(command, Trust.anchors(List.of(server.certificate()))).withTrace(pipeline);
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/demo");
            try (var client = HttpsClient.create(options)) {
                for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                    byte[] body = method.equals("GET") || method.equals("DELETE") ? new byte[0]
                            : ("{\"hello\":\"" + method.toLowerCase(Locale.ROOT) + "\"}").getBytes(StandardCharsets.UTF_8);
                    HttpResponse response = client.send(Request.of(method, uri, body));
                    out.println();
                    out.println("--- " + method + " " + uri + (body.length > 0 ? " (" + body.length + "-byte body)" : ""));
                    out.writeBytes(headBytes(response));
                    out.print(response.bodyText());
                }
            }
        }
        return ExitStatus.OK.code;
    }
    // end::demo[]

    private ClientOptions options(CommandLine command, Trust defaultTrust) throws IOException {
        TlsOptions tls = TlsOptions.defaults();
        if (command.version() != null) {
            tls = tls.onlyVersion(command.version());
        }
        if (command.ciphers() != null) {
            tls = tls.onlySuites(command.ciphers());
        }
        Trust trust = defaultTrust;
        if (command.caCert() != null) {
            trust = caCert(command.caCert());
        }
        if (command.insecure()) {
            err.println("ktls-https: warning: -k: the server's certificate and name are NOT verified");
            trust = Trust.insecure();
        }
        ClientOptions options = ClientOptions.defaults().withTls(tls.withTrust(trust)).withMode(command.mode())
                .withTimeouts(command.connectTimeout(), command.maxTime());
        // The trace quotes the server (its headers, its certificate's name): no control character of it
        // reaches the terminal.
        return command.verbose() ? options.withTrace(line -> err.println("* " + escaped(line))) : options;
    }

    /** {@code --cacert FILE}'s CA certificates; a file that is not a readable PEM certificate file is exit 77, as curl's. */
    private static Trust caCert(Path file) throws LocalFileException {
        if (Files.isDirectory(file)) {
            throw new LocalFileException("--cacert: is a directory: " + file, ExitStatus.CA_CERT_UNUSABLE);
        }
        try {
            return Trust.pemFile(file);
        } catch (NoSuchFileException e) {
            throw new LocalFileException("--cacert: no such file: " + file, ExitStatus.CA_CERT_UNUSABLE);
        } catch (IOException e) {
            throw new LocalFileException("--cacert: " + (e instanceof AccessDeniedException
                    ? "permission denied: " + file : e.getMessage()), ExitStatus.CA_CERT_UNUSABLE);
        }
    }

    // tag::data[]
    /**
     * The {@code -d} body. A file is looked at before any connection, so that one that cannot be read
     * is exit 26 with nothing sent. A regular file goes out as it is read, with its size as
     * Content-Length; one whose size reads 0 (procfs says 0 for files with content) is read whole
     * first; anything else (a pipe, {@code /dev/stdin}) goes out chunked, as {@code @-} does. Bytes
     * that can be read only once are read whole when several URLs each need them.
     */
    private static RequestBody body(String data, boolean several) throws IOException {
        if (data == null) {
            return RequestBody.EMPTY;
        }
        if (!data.startsWith("@")) {
            return RequestBody.of(Arguments.bytes(data));
        }
        if (data.equals("@-")) {
            return several ? RequestBody.of(System.in.readAllBytes()) : RequestBody.of(System.in);
        }
        Path path;
        try {
            path = Path.of(data.substring(1));
        } catch (InvalidPathException e) {
            throw unreadable(data.substring(1), "not a usable file name");
        }
        try {
            BasicFileAttributes file = Files.readAttributes(path, BasicFileAttributes.class);
            if (file.isDirectory()) {
                throw unreadable(path.toString(), "is a directory");
            }
            if (file.isRegularFile() && file.size() > 0) {
                Files.newInputStream(path).close();                  // readable: the request opens it again
                return RequestBody.of(path);
            }
            if (file.isRegularFile() || several) {
                return RequestBody.of(Files.readAllBytes(path));
            }
            return RequestBody.of(Files.newInputStream(path));
        } catch (NoSuchFileException e) {
            throw unreadable(path.toString(), null);
        } catch (LocalFileException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(path.toString(), e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason().toLowerCase(Locale.ROOT)
                    : e.getMessage());
        }
    }
    // end::data[]

    private static LocalFileException unreadable(String file, String reason) {
        return new LocalFileException("-d: cannot read file: " + file + (reason == null ? "" : " (" + reason + ")"),
                ExitStatus.READ_ERROR);
    }

    /** Closes a stream body the command opened (a file such as a pipe), never standard input. */
    private static Closeable closer(RequestBody body) {
        return () -> {
            if (body instanceof RequestBody.Stream s && s.in() != System.in) {
                s.in().close();
            }
        };
    }

    /** One line: the exception's own message, which names the operation and the peer, made printable. */
    static String message(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return printable((f.getReason() == null ? "no such file" : f.getReason()) + ": " + f.getFile());
        }
        if (e instanceof java.net.UnknownHostException) {
            return printable("could not resolve host: " + e.getMessage());
        }
        String m = e.getMessage();
        return printable(m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m));
    }

    /** The longest message line printed: longer ones, which only a peer's data could make, are cut. */
    static final int MAX_MESSAGE = 1000;

    /**
     * {@code text} for a terminal: control characters (C0, DEL, C1) as {@code \xHH}, and cut to
     * {@link #MAX_MESSAGE} characters. Every error line goes through here: many quote the peer.
     */
    static String printable(String text) {
        String escaped = escaped(text);
        return escaped.length() <= MAX_MESSAGE ? escaped : escaped.substring(0, MAX_MESSAGE - 3) + "...";
    }

    /** {@code text} with each control character (C0, DEL, C1) as {@code \xHH}, so that none reaches a terminal. */
    static String escaped(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F && c <= 0x9F) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * Where the body goes: standard output, or the {@code -o} file, created when the response's head
     * has arrived, so a failed connect or handshake leaves an existing file as it was. A failed write
     * is an {@link OutputFailedException} (exit 23, as curl's), never taken for a receive error; a
     * closed standard output ({@code | head}) ends the transfer instead of reading on into nothing.
     */
    private final class BodyOutput implements AutoCloseable {
        private final Path file;
        /** Standard output collected here and written at the end, in one piece (parallel transfers). */
        private final java.io.ByteArrayOutputStream whole;
        private OutputStream stream;

        BodyOutput(Path file, boolean wholeBodies) {
            this.file = file;
            this.whole = file == null && wholeBodies ? new java.io.ByteArrayOutputStream() : null;
        }

        /** The stream for this response's body (a function of the head: so unchecked). */
        OutputStream open() {
            if (stream == null) {
                OutputStream target;
                if (whole != null) {
                    target = whole;
                } else if (file == null) {
                    target = new StandardOutput(out);
                } else {
                    try {
                        target = new FileOutput(file, Files.newOutputStream(file));
                    } catch (IOException e) {
                        throw new UncheckedIOException(OutputFailedException.of(file.toString(), e));
                    }
                }
                stream = file != null && System.console() != null && System.console().isTerminal()
                        ? new ProgressMeter(target, err) : target;
            }
            return stream;
        }

        void write(byte[] bytes) {
            try {
                stream.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Flushes what the exchange wrote; the exchange succeeded only if this does. */
        void finish() throws IOException {
            if (whole != null && stream != null) {
                synchronized (out) {
                    var stdout = new StandardOutput(out);
                    whole.writeTo(stdout);
                    stdout.flush();
                }
                return;
            }
            if (stream != null) {
                stream.flush();
                if (stream instanceof ProgressMeter meter) {
                    meter.finish();
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (stream != null && file != null) {
                stream.close();
            }
        }
    }

    /** Standard output, whose {@link PrintStream} keeps errors to itself: asked after every write. */
    private static final class StandardOutput extends FilterOutputStream {
        StandardOutput(PrintStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            check();
        }

        @Override
        public void flush() throws IOException {
            check();                                       // checkError flushes
        }

        private void check() throws OutputFailedException {
            if (((PrintStream) out).checkError()) {
                throw new OutputFailedException("cannot write to standard output");
            }
        }
    }

    /** The {@code -o} file: a failed write names the file and why. */
    private static final class FileOutput extends FilterOutputStream {
        private final Path file;

        FileOutput(Path file, OutputStream out) {
            super(out);
            this.file = file;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw OutputFailedException.of(file.toString(), e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw OutputFailedException.of(file.toString(), e);
            }
        }
    }

    /** Counts bytes to a file and shows progress on a terminal's standard error. */
    private static final class ProgressMeter extends FilterOutputStream {
        private final PrintStream err;
        private final long start = System.nanoTime();
        private long bytes, lastShown;

        ProgressMeter(OutputStream target, PrintStream err) {
            super(target);
            this.err = err;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes += len;
            long now = System.nanoTime();
            if (now - lastShown > 200_000_000L) {
                lastShown = now;
                show(now);
            }
        }

        void finish() {
            show(System.nanoTime());
            err.println();
        }

        private void show(long now) {
            double seconds = Math.max(1e-9, (now - start) / 1e9);
            err.printf("\r%10.1f MiB  %8.1f MiB/s", bytes / 1048576.0, bytes / 1048576.0 / seconds);
        }
    }
}
