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

    /**
     * One run of {@link Scenario#CONCURRENT}: {@code n} GETs of {@code uri} (the 1 KiB file) with
     * {@code c} in flight at once, over at most {@code c} connections.
     */
    Measurement concurrent(URI uri, int c, int n) throws IOException, InterruptedException;

    /** Untimed requests a concurrent run of {@code c} sends before the {@code n} it measures (nginx sees them too). */
    int untimedRequests(int c);

    /** One run of {@link Scenario#PARALLEL}: {@code k} downloads of {@code uri} at once. */
    Measurement parallel(URI uri, int k) throws IOException, InterruptedException;

    @Override
    void close();
}
