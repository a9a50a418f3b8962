package dev.ktlsuring.cli;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.CipherSuite;
import dev.ktlsuring.handshake.TlsVersion;
import dev.ktlsuring.http.Header;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line, curl-like:
 * {@code [-X METHOD] [-H 'Name: value']... [-d DATA | -d @FILE | -d @-] [-o FILE]... [-i] [-v] [--cacert FILE] [-k]
 * [--tls-mode auto|ktls|userspace] [--tls-version 1.2|1.3] [--cipher NAME] [--connect-timeout S] [--max-time S]
 * [-Z [--parallel-max N]] URL...}, or {@code demo} (the default with no URL).
 *
 * <p>As in curl, each {@code -o} goes with one URL, in order; URLs without one write to standard output.
 *
 * @param parallelMax transfers at once with {@code -Z}: 1 to 300, default 50 (curl's limits; a number
 *                    outside them is taken as the default, as curl does)
 */
public record CommandLine(String method, List<URI> urls, List<Header> headers, String data, List<Path> outputs,
                          boolean includeHeaders, boolean verbose, Path caCert, boolean insecure, TlsMode mode,
                          TlsVersion version, List<CipherSuite> ciphers, Duration connectTimeout, Duration maxTime,
                          boolean parallel, int parallelMax, boolean demo, boolean help) {

    static final int PARALLEL_DEFAULT = 50, PARALLEL_MAX = 300;

    /** Where the body of the {@code index}th URL goes: its {@code -o} file, or null for standard output. */
    Path output(int index) {
        return index < outputs.size() ? outputs.get(index) : null;
    }

    static final String USAGE = """
            usage: ktls-https [options] URL...     HTTPS requests, one after another (or at once with -Z)
                   ktls-https [demo]               the embedded demo: GET, POST, PUT, PATCH, DELETE against a local server
            options:
              -X, --request METHOD     GET (default; POST with -d), POST, PUT, PATCH, DELETE, ...
              -H, --header 'N: v'      add a request header (repeatable)
              -d, --data DATA          request body: DATA, @FILE, or @- for standard input
              -o, --output FILE        write the body to FILE instead of standard output (one -o per URL, in order)
              -i, --include            print the status line and headers before the body
              -v, --verbose            trace the pipeline on standard error
                  --cacert FILE        trust the CA certificates in PEM FILE instead of the system's
              -k, --insecure           do not verify the server certificate (never the default)
                  --tls-mode MODE      auto (default): kTLS if the kernel can, else userspace;
                                       ktls: fail unless the kernel does TLS; userspace
                  --tls-version V      1.2 or 1.3 only
                  --cipher NAME        aes128gcm, aes256gcm, chacha20poly1305, or a suite name
                  --connect-timeout S  seconds for connect + handshake (default 30)
                  --max-time S         seconds for the whole exchange (default 300)
              -Z, --parallel           transfer the URLs at once, on one io_uring ring
                  --parallel-max N     at most N transfers at once with -Z (1-300, default 50)
              -h, --help               this text
            """;

    /** Parses {@code args}; a {@link UsageException} says what is wrong in one line. */
    static CommandLine parse(String... args) throws UsageException {
        String method = null, data = null;
        List<URI> urls = new ArrayList<>();
        List<Header> headers = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        Path caCert = null;
        boolean include = false, verbose = false, insecure = false, demo = false, help = false, parallel = false;
        int parallelMax = PARALLEL_DEFAULT;
        TlsMode mode = TlsMode.AUTO;
        TlsVersion version = null;
        List<CipherSuite> ciphers = null;
        Duration connectTimeout = Duration.ofSeconds(30), maxTime = Duration.ofSeconds(300);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-X", "--request" -> method = method(value(args, ++i, a));
                case "-H", "--header" -> headers.add(header(value(args, ++i, a)));
                case "-d", "--data" -> data = value(args, ++i, a);
                case "-o", "--output" -> outputs.add(Path.of(value(args, ++i, a)));
                case "-Z", "--parallel" -> parallel = true;
                case "--parallel-max" -> parallelMax = parallelMax(value(args, ++i, a));
                case "-i", "--include" -> include = true;
                case "-v", "--verbose" -> verbose = true;
                case "--cacert" -> caCert = Path.of(value(args, ++i, a));
                case "-k", "--insecure" -> insecure = true;
                case "--tls-mode" -> mode = mode(value(args, ++i, a));
                case "--tls-version" -> {
                    String v = value(args, ++i, a);
                    version = parse(() -> TlsVersion.parse(v));
                }
                case "--cipher" -> {
                    String v = value(args, ++i, a);
                    ciphers = parse(() -> CipherSuite.select(v));
                }
                case "--connect-timeout" -> connectTimeout = seconds(value(args, ++i, a), a);
                case "--max-time" -> maxTime = seconds(value(args, ++i, a), a);
                case "-h", "--help" -> help = true;
                case "demo" -> demo = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a + " (see --help)");
                    }
                    urls.add(url(a));
                }
            }
        }
        if (urls.isEmpty() && !help) {
            demo = true;
        }
        if (demo && !urls.isEmpty()) {
            throw new UsageException("give either URLs or demo, not both");
        }
        if (method == null) {
            method = data != null ? "POST" : "GET";
        }
        return new CommandLine(method, List.copyOf(urls), List.copyOf(headers), data, List.copyOf(outputs), include,
                verbose, caCert, insecure, mode, version, ciphers, connectTimeout, maxTime, parallel, parallelMax,
                demo, help);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value (see --help)");
        }
        return args[i];
    }

    private static String method(String text) throws UsageException {
        String method = text.toUpperCase(Locale.ROOT);
        if (!Header.isToken(method)) {
            throw new UsageException("invalid HTTP method '" + text + "' (a token such as GET, POST, PUT, PATCH, DELETE)");
        }
        return method;
    }

    private static Header header(String text) throws UsageException {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("malformed header '" + text + "' (use 'Name: value')");
        }
        // The value goes out as the UTF-8 bytes typed, as curl sends its argument's bytes: a Header
        // holds one char per byte of the ISO-8859-1 head.
        String value = new String(text.substring(colon + 1).strip().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        return parse(() -> new Header(text.substring(0, colon).strip(), value));
    }

    private static int parallelMax(String text) throws UsageException {
        try {
            int n = Integer.parseInt(text.strip());
            return n < 1 || n > PARALLEL_MAX ? PARALLEL_DEFAULT : n;
        } catch (NumberFormatException e) {
            throw new UsageException("--parallel-max needs a whole number, not '" + text + "'");
        }
    }

    private static TlsMode mode(String text) throws UsageException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "auto" -> TlsMode.AUTO;
            case "ktls" -> TlsMode.KTLS;
            case "userspace" -> TlsMode.USERSPACE;
            default -> throw new UsageException("unknown --tls-mode '" + text + "' (use auto, ktls or userspace)");
        };
    }

    private static Duration seconds(String text, String option) throws UsageException {
        try {
            double s = Double.parseDouble(text);
            if (!(s > 0) || s > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos((long) (s * 1e9));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a positive number of seconds, not '" + text + "'");
        }
    }

    static URI url(String text) throws UsageException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageException("malformed URL '" + text + "': " + e.getReason());
        }
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("https")) {
            throw new UsageException("unsupported URL '" + text + "': only https:// URLs");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new UsageException("malformed URL '" + text + "': no host");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new UsageException("malformed URL '" + text + "': port " + uri.getPort() + " is out of range (1-65535)");
        }
        if (uri.getRawUserInfo() != null) {
            throw new UsageException("unsupported URL '" + text + "': user information in URLs is not supported");
        }
        return uri;
    }

    private interface Parse<T> {
        T get() throws UsageException;
    }

    private static <T> T parse(Parse<T> parse) throws UsageException {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A command line that can't be run, in one line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
