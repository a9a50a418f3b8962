package dev.ktlsuring.client;

import dev.ktlsuring.fallback.TlsMode;
import dev.ktlsuring.handshake.TlsOptions;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How an {@link HttpsClient} connects.
 *
 * @param tls            versions, cipher suites and trust for the handshake
 * @param mode           who protects the records: the kernel if it can ({@link TlsMode#AUTO}), only the
 *                       kernel, or only userspace
 * @param connectTimeout limit for TCP connect plus TLS handshake
 * @param timeout        limit for a whole exchange (request sent, response read), and for each wait in it
 * @param trace          receives one line per pipeline event (connect, handshake, kTLS, request, response);
 *                       {@code line -> {}} for none
 */
public record ClientOptions(TlsOptions tls, TlsMode mode, Duration connectTimeout, Duration timeout,
                            Consumer<String> trace) {

    /** The default trace, which drops every line; {@link HttpsClient} then does not even format them. */
    static final Consumer<String> NO_TRACE = line -> { };

    /** Verified TLS 1.2/1.3 against the system trust store, kTLS when possible, 30 s connect, 5 min exchange, no trace. */
    public static ClientOptions defaults() {
        return new ClientOptions(TlsOptions.defaults(), TlsMode.AUTO, Duration.ofSeconds(30), Duration.ofMinutes(5),
                NO_TRACE);
    }

    /** Whether anyone receives the trace lines. */
    boolean tracing() {
        return trace != NO_TRACE;
    }

    public ClientOptions withTls(TlsOptions newTls) {
        return new ClientOptions(newTls, mode, connectTimeout, timeout, trace);
    }

    public ClientOptions withMode(TlsMode newMode) {
        return new ClientOptions(tls, newMode, connectTimeout, timeout, trace);
    }

    public ClientOptions withTimeouts(Duration newConnectTimeout, Duration newTimeout) {
        return new ClientOptions(tls, mode, newConnectTimeout, newTimeout, trace);
    }

    public ClientOptions withTrace(Consumer<String> newTrace) {
        return new ClientOptions(tls, mode, connectTimeout, timeout, newTrace);
    }
}
