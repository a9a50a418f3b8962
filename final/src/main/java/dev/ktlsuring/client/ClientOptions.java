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
 * @param timeout        limit for a whole exchange (a new connection's connect and handshake, request sent,
 *                       response read), and for each wait in it
 * @param trace          receives one line per pipeline event (connect, handshake, kTLS, request, response);
 *                       {@code line -> {}} for none; called from whichever thread sends the request
 * @param maxConnectionsPerHost connections open at once to one host and port; a request that finds them
 *                       all busy waits for one, within its timeout
 * @param idleTimeout    how long a kept-alive connection may wait unused before it is closed instead of reused
 */
public record ClientOptions(TlsOptions tls, TlsMode mode, Duration connectTimeout, Duration timeout,
                            Consumer<String> trace, int maxConnectionsPerHost, Duration idleTimeout) {

    public ClientOptions {
        if (maxConnectionsPerHost < 1) {
            throw new IllegalArgumentException("maxConnectionsPerHost must be at least 1: " + maxConnectionsPerHost);
        }
    }

    /** The default trace, which drops every line; {@link HttpsClient} then does not even format them. */
    static final Consumer<String> NO_TRACE = line -> { };

    /**
     * Verified TLS 1.2/1.3 against the system trust store, kTLS when possible, 30 s connect, 5 min
     * exchange, no trace, up to 256 connections per host, each closed after 30 s idle.
     */
    public static ClientOptions defaults() {
        return new ClientOptions(TlsOptions.defaults(), TlsMode.AUTO, Duration.ofSeconds(30), Duration.ofMinutes(5),
                NO_TRACE, 256, Duration.ofSeconds(30));
    }

    /** Whether anyone receives the trace lines. */
    boolean tracing() {
        return trace != NO_TRACE;
    }

    public ClientOptions withTls(TlsOptions newTls) {
        return new ClientOptions(newTls, mode, connectTimeout, timeout, trace, maxConnectionsPerHost, idleTimeout);
    }

    public ClientOptions withMode(TlsMode newMode) {
        return new ClientOptions(tls, newMode, connectTimeout, timeout, trace, maxConnectionsPerHost, idleTimeout);
    }

    public ClientOptions withTimeouts(Duration newConnectTimeout, Duration newTimeout) {
        return new ClientOptions(tls, mode, newConnectTimeout, newTimeout, trace, maxConnectionsPerHost, idleTimeout);
    }

    public ClientOptions withTrace(Consumer<String> newTrace) {
        return new ClientOptions(tls, mode, connectTimeout, timeout, newTrace, maxConnectionsPerHost, idleTimeout);
    }

    public ClientOptions withPool(int newMaxConnectionsPerHost, Duration newIdleTimeout) {
        return new ClientOptions(tls, mode, connectTimeout, timeout, trace, newMaxConnectionsPerHost, newIdleTimeout);
    }
}
