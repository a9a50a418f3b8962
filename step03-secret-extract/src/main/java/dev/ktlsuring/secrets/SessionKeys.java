package dev.ktlsuring.secrets;

/**
 * Both directions' keys at the hand-off point.
 *
 * @param transmit the client's write state (what {@code TLS_TX} takes)
 * @param receive  the server's write state, which the client reads (what {@code TLS_RX} takes)
 */
public record SessionKeys(TrafficKeys transmit, TrafficKeys receive) implements AutoCloseable {

    /** Zeroes both directions. */
    @Override
    public void close() {
        transmit.close();
        receive.close();
    }
}
