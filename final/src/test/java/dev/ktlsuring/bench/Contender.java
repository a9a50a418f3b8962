package dev.ktlsuring.bench;

import java.io.IOException;
import java.net.URI;

/** A client under test, as the orchestrator drives it: one measured run per call. */
interface Contender extends AutoCloseable {

    /** {@code uring-userspace}, {@code uring-ktls}, {@code jdk}, {@code curl}. */
    String name();

    /** What it is: versions and mode, for the results. */
    String description();

    /** One run of {@code scenario} against {@code uri}; {@code n} requests for the request scenarios. */
    Measurement run(Scenario scenario, URI uri, int n) throws IOException, InterruptedException;

    @Override
    void close();
}
