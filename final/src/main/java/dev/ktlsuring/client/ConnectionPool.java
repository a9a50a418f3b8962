package dev.ktlsuring.client;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Kept-alive connections by host and port, at most {@code maxPerHost} open to each, idle ones closed
 * after {@code idleTimeout}. A caller that finds every connection to its host busy waits (parked, so a
 * virtual thread frees its carrier) until one is returned or its deadline passes.
 *
 * <p>The pool only counts and hands out; it never does I/O under its locks. Checking that an idle
 * connection is still good, and closing one that is not, is the caller's business.
 *
 * @param <C> the connection type
 */
final class ConnectionPool<C> {

    /** What {@link #acquire} gives: a kept-alive connection, or permission to open a new one. */
    sealed interface Lease<C> {
        record Idle<C>(C connection) implements Lease<C> {
        }

        record Open<C>() implements Lease<C> {
        }
    }

    private final int maxPerHost;
    private final long idleNanos;
    private final Consumer<C> closer;
    private final Map<String, Host<C>> hosts = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ConnectionPool(int maxPerHost, Duration idleTimeout, Consumer<C> closer) {
        if (maxPerHost < 1) {
            throw new IllegalArgumentException("maxConnectionsPerHost must be at least 1: " + maxPerHost);
        }
        this.maxPerHost = maxPerHost;
        this.idleNanos = idleTimeout.toNanos();
        this.closer = closer;
    }

    // tag::acquire[]
    /**
     * The most recently returned idle connection to {@code key} that has not been idle too long, or
     * permission to open a new one while fewer than {@code maxPerHost} are open; otherwise waits.
     *
     * @throws SocketTimeoutException if {@code deadline} (a {@link System#nanoTime()} value) passes first
     * @throws IllegalStateException  if the pool is closed
     */
    Lease<C> acquire(String key, long deadline, Duration limit) throws SocketTimeoutException, InterruptedException {
        Host<C> host = hosts.computeIfAbsent(key, k -> new Host<>());
        List<C> expired = new ArrayList<>();
        host.lock.lock();
        try {
            while (true) {
                ensureOpen();
                long now = System.nanoTime();
                for (Idle<C> idle; (idle = host.idle.pollLast()) != null; ) {
                    if (now - idle.since < idleNanos) {
                        return new Lease.Idle<>(idle.connection);
                    }
                    expired.add(idle.connection);
                    host.open--;
                }
                if (host.open < maxPerHost) {
                    host.open++;
                    return new Lease.Open<>();
                }
                await(host, key, deadline - now, limit);
            }
        } finally {
            host.lock.unlock();
            expired.forEach(closer);
        }
    }
    // end::acquire[]

    /**
     * Permission to open a new connection to {@code key}, never an idle one: for a request sent again
     * after a kept-alive connection failed it. At the limit, the oldest idle connection makes room.
     */
    void acquireNew(String key, long deadline, Duration limit) throws SocketTimeoutException, InterruptedException {
        Host<C> host = hosts.computeIfAbsent(key, k -> new Host<>());
        C displaced = null;
        host.lock.lock();
        try {
            while (true) {
                ensureOpen();
                if (host.open < maxPerHost) {
                    host.open++;
                    return;
                }
                Idle<C> oldest = host.idle.pollFirst();
                if (oldest != null) {
                    displaced = oldest.connection;      // its place in the count goes to the new one
                    return;
                }
                await(host, key, deadline - System.nanoTime(), limit);
            }
        } finally {
            host.lock.unlock();
            if (displaced != null) {
                closer.accept(displaced);
            }
        }
    }

    /** Waits, lock held, until a connection to {@code key} is returned or {@code left} nanoseconds pass. */
    private void await(Host<C> host, String key, long left, Duration limit)
            throws SocketTimeoutException, InterruptedException {
        if (left <= 0) {
            throw new SocketTimeoutException("no connection to " + key + " became free within "
                    + limit.toMillis() + " ms (" + maxPerHost + " in use, the most per host)");
        }
        host.available.awaitNanos(left);
    }

    /** Returns a connection: kept for reuse if {@code reusable} and the pool is open, else closed. */
    void release(String key, C connection, boolean reusable) {
        Host<C> host = hosts.get(key);
        boolean keep;
        host.lock.lock();
        try {
            keep = reusable && !closed;
            if (keep) {
                host.idle.addLast(new Idle<>(connection, System.nanoTime()));
            } else {
                host.open--;
            }
            host.available.signal();
        } finally {
            host.lock.unlock();
        }
        if (!keep) {
            closer.accept(connection);
        }
    }

    /** Gives back the permission of a {@link Lease.Open} whose connection could not be opened. */
    void abandon(String key) {
        Host<C> host = hosts.get(key);
        host.lock.lock();
        try {
            host.open--;
            host.available.signal();
        } finally {
            host.lock.unlock();
        }
    }

    /** Connections open to {@code key}: idle ones and those in use. */
    int open(String key) {
        Host<C> host = hosts.get(key);
        if (host == null) {
            return 0;
        }
        host.lock.lock();
        try {
            return host.open;
        } finally {
            host.lock.unlock();
        }
    }

    /** Closes every idle connection and refuses further leases; waiting callers fail. */
    void close() {
        closed = true;
        for (Host<C> host : hosts.values()) {
            List<C> idle = new ArrayList<>();
            host.lock.lock();
            try {
                for (Idle<C> i; (i = host.idle.poll()) != null; ) {
                    idle.add(i.connection);
                    host.open--;
                }
                host.available.signalAll();
            } finally {
                host.lock.unlock();
            }
            idle.forEach(closer);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the HttpsClient is closed");
        }
    }

    private record Idle<C>(C connection, long since) {
    }

    private static final class Host<C> {
        final ReentrantLock lock = new ReentrantLock();
        final Condition available = lock.newCondition();
        final ArrayDeque<Idle<C>> idle = new ArrayDeque<>();
        int open;
    }
}
