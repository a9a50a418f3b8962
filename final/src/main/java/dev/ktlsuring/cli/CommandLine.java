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
 * <p>As in curl, each {@code -o} goes with one URL, in order; URLs without one, and {@code -o -}, write to
 * standard output.
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
        Path output = index < outputs.size() ? outputs.get(index) : null;
        return output == null || output.toString().equals("-") ? null : output;
    }

    static final String USAGE = """
            usage: ktls-https [options] URL...     HTTPS requests, one after another (or at once with -Z)
                   ktls-https [demo]               the embedded demo: GET, POST, PUT, PATCH, DELETE against a local server
            options:
              -X, --request METHOD     GET (default; POST with -d), POST, PUT, PATCH, DELETE, ...
              -H, --header 'N: v'      add a request header (repeatable)
              -d, --data DATA          request body: DATA, @FILE, or @- for standard input
              -o, --output FILE        write the body to FILE instead of standard output (one -o per URL, in order;
                                       - is standard output)
              -i, --include            print the status line and headers before the body
              -v, --verbose            trace the pipeline on standard error
                  --cacert FILE        trust the CA certificates in PEM FILE instead of the system's
              -k, --insecure           do not verify the server certificate (never the default)
                  --tls-mode MODE      auto (default): kTLS if the kernel can, else userspace;
                                       ktls: fail unless the kernel does TLS; userspace
                  --tls-version V      1.2 or 1.3 only
                  --cipher NAME        aes128gcm, aes256gcm, chacha20poly1305, or a suite name
                  --connect-timeout S  seconds for connect + handshake (default 30)
                  --max-time S         seconds for the whole transfer, connect and handshake included (default 300)
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
                case "-o", "--output" -> outputs.add(path(value(args, ++i, a), a));
                case "-Z", "--parallel" -> parallel = true;
                case "--parallel-max" -> parallelMax = parallelMax(value(args, ++i, a));
                case "-i", "--include" -> include = true;
                case "-v", "--verbose" -> verbose = true;
                case "--cacert" -> caCert = path(value(args, ++i, a), a);
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

    /** The method as typed: methods are case-sensitive (RFC 9110 §9.1), and curl sends {@code -X get} as {@code get}. */
    private static String method(String text) throws UsageException {
        if (!Header.isToken(text)) {
            throw new UsageException("invalid HTTP method '" + text + "' (a token such as GET, POST, PUT, PATCH, DELETE)");
        }
        return text;
    }

    private static Header header(String text) throws UsageException {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("malformed header '" + text + "' (use 'Name: value')");
        }
        String name = text.substring(0, colon).strip();
        // The value goes out as the bytes typed, as curl sends its argument's bytes (Arguments): a Header
        // holds one char per byte of the ISO-8859-1 head.
        String value = new String(Arguments.bytes(text.substring(colon + 1).strip()), StandardCharsets.ISO_8859_1);
        if (name.equalsIgnoreCase("Host") && value.isEmpty()) {
            // curl drops its Host header for -H 'Host:'; an HTTP/1.1 request without one is invalid
            // (RFC 9112 §3.2: a server answers 400), so nothing useful could come of sending it.
            throw new UsageException("-H 'Host:' would send a request without Host, which HTTP/1.1 requires "
                    + "(RFC 9112 §3.2): give a value, or leave the header out for the URL's host");
        }
        return parse(() -> new Header(name, value));
    }

    private static Path path(String text, String option) throws UsageException {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException(option + ": not a usable file name '" + text + "': " + e.getReason());
        }
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

    /**
     * An {@code https://} URL, as curl reads it: a host name beyond ASCII as its IDNA (punycode) form,
     * and the dot segments of the path ({@code .} and {@code ..}) removed (RFC 3986 §5.2.4). Characters
     * beyond ASCII in the path and query stay; the request line has them percent-encoded as UTF-8.
     */
    static URI url(String text) throws UsageException {
        if (Arguments.hasInvalidBytes(text) || text.indexOf('\uFFFD') >= 0) {
            throw new UsageException("malformed URL '" + text + "': it is not valid UTF-8");
        }
        URI uri;
        try {
            uri = normalized(new URI(text));
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

    /** {@code uri} with an ASCII host (IDNA, as curl's libidn2 does) and no dot segments in its path. */
    private static URI normalized(URI uri) throws URISyntaxException, UsageException {
        String authority = uri.getRawAuthority();
        if (uri.getHost() == null && authority != null && !authority.chars().allMatch(c -> c < 0x80)
                && authority.indexOf('@') < 0) {
            // java.net.URI takes a host beyond ASCII for a registry-based authority, with no host.
            int colon = authority.lastIndexOf(':');
            boolean port = colon >= 0 && authority.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9');
            String host = port ? authority.substring(0, colon) : authority;
            try {
                authority = java.net.IDN.toASCII(host, java.net.IDN.USE_STD3_ASCII_RULES) + (port ? authority.substring(colon) : "");
            } catch (IllegalArgumentException e) {
                throw new UsageException("malformed URL '" + uri + "': host '" + host + "' is not a valid "
                        + "internationalized domain name (" + e.getMessage() + ")");
            }
        }
        String path = uri.getRawPath() == null ? "" : removeDotSegments(uri.getRawPath());
        String rebuilt = uri.getScheme() + "://" + (authority == null ? "" : authority) + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
        return rebuilt.equals(uri.toString()) ? uri : new URI(rebuilt);
    }

    /** RFC 3986 §5.2.4: {@code /a/./b/../c} is {@code /a/c}; {@code ..} never climbs above the root. */
    static String removeDotSegments(String path) {
        var output = new ArrayList<String>();
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            switch (segment) {
                case "." -> {
                    if (last) {
                        output.add("");                        // "/a/." is "/a/"
                    }
                }
                case ".." -> {
                    if (output.size() > 1) {
                        output.removeLast();
                    }
                    if (last) {
                        output.add("");
                    }
                }
                default -> output.add(segment);
            }
        }
        return String.join("/", output);
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
