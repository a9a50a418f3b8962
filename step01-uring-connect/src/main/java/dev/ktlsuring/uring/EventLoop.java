package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.__kernel_timespec;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One thread that owns an io_uring ring and runs the socket operations of any number of callers on
 * it, many in flight at once, submitted and reaped in batches.
 *
 * <p>A caller, platform or virtual thread, hands an operation over and parks until its completion.
 * It never blocks inside a native call, so a waiting virtual thread frees its carrier. The loop thread
 * takes every operation handed over since it last looked, prepares one entry each, and makes one
 * {@code io_uring_enter} that submits them all and waits for the next completion; then it reaps every
 * completion that is ready and unparks each one's caller. The busier the callers, the more entries one
 * system call carries: that is the saving io_uring is for.
 *
 * <p><b>Waking the loop.</b> While the loop waits inside {@code io_uring_enter}, a new operation must
 * wake it. The loop keeps a read of an eventfd in flight; the first caller to find the loop asleep
 * writes to the eventfd, which completes that read. Callers that find it awake only queue.
 *
 * <p><b>Time limits.</b> An operation may have a deadline. Instead of a linked timeout entry per
 * operation (one more entry and completion each), the loop keeps one timer armed for the earliest
 * deadline and, when it fires, cancels whatever has run out ({@code IORING_OP_ASYNC_CANCEL}). Such an
 * operation reports {@code -ETIME}.
 *
 * <p><b>Memory.</b> The kernel writes into an operation's buffers until its completion is posted. So
 * {@link #execute} returns only after the completion, even for an interrupted caller (it cancels and
 * waits), and {@link #close} cancels every operation in flight and waits for their completions before
 * it closes the ring.
 */
public final class EventLoop implements AutoCloseable {

    // tag::start[]
    /**
     * Opens a ring of {@code entries} submission slots and starts its thread.
     *
     * @throws UringUnavailableException if this kernel or its policy does not allow io_uring
     */
    public static EventLoop start(String name, int entries) throws IOException {
        IoUring ring = IoUring.open(entries);
        int wakeFd;
        try {
            wakeFd = SystemCalls.eventfd();
        } catch (IOException | RuntimeException e) {
            ring.close();
            throw e;
        }
        EventLoop loop = new EventLoop(ring, wakeFd);
        loop.thread = Thread.ofPlatform().name(name).daemon().unstarted(loop::run);
        loop.thread.start();
        return loop;
    }
    // end::start[]

    /** {@code user_data} of the loop's own entries; an operation's is its slot and generation, never negative. */
    private static final long WAKE = -1L, TIMER = -2L, CANCEL = -3L, IGNORE = -4L;
    /** Operations in flight from which the loop waits for several completions at once, and for how long at most. */
    static final int COALESCE_FROM = 8;
    static final long COALESCE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** How long {@link #close} lets cancelled operations take to complete before closing the ring anyway. */
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final IoUring ring;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment wakeCounter = arena.allocate(Long.BYTES);
    private final MemorySegment timespec = arena.allocate(__kernel_timespec.layout());
    private Thread thread;

    private final ConcurrentLinkedQueue<Operation> submissions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Operation> cancellations = new ConcurrentLinkedQueue<>();
    /** Where the loop is: {@link #AWAKE}, or waiting in the kernel, {@link #BOUNDED} (coalescing) or {@link #UNBOUNDED}. */
    private final AtomicInteger asleep = new AtomicInteger();
    private static final int AWAKE = 0, BOUNDED = 1, UNBOUNDED = 2;
    private final Object wakeLock = new Object();
    private boolean wakeFdClosed;          // guarded by wakeLock
    private volatile boolean closing, terminated;
    private volatile long completed, reaped;

    // Touched by the loop thread only.
    private Operation[] inFlight = new Operation[64];
    private int[] generations = new int[64];
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int nextSlot, inFlightCount, backgroundInFlight;
    private boolean wakeArmed, cancelledAll;
    private long closeDeadline;
    /** Completions the last reap found: a measure of how busy the ring is. */
    private int lastBatch;
    private final PriorityQueue<Long> armedTimers = new PriorityQueue<>();
    /** No deadline of an operation in flight is earlier; it may be later (completed ones are not removed). */
    private long earliestDeadline = Long.MAX_VALUE;

    private EventLoop(IoUring ring, int wakeFd) {
        this.ring = ring;
        this.wakeFd = wakeFd;
    }

    // tag::execute[]
    /**
     * Runs one operation and returns its result once it has completed: a count or descriptor when
     * non-negative, {@code -errno} when negative, {@code -ETIME} when {@code timeout} (null: none) ran
     * out first. The calling thread parks meanwhile; a virtual thread gives its carrier back.
     *
     * @throws EventLoopClosedException if the loop is closed, or closes while the operation is in flight
     * @throws InterruptedIOException   if the caller was interrupted (the operation was cancelled first)
     */
    public int execute(IoUring.Preparation preparation, Duration timeout, String operation) throws IOException {
        Operation op = new Operation(preparation, deadline(timeout), Thread.currentThread());
        handOver(op);
        await(op);
        return op.outcome(operation);
    }

    /**
     * Runs {@code first}, then {@code second} linked to it (IOSQE_IO_LINK): both go to the kernel in one
     * submission, and the second starts when the first completes. A request's send linked to its
     * response's first receive saves the round trip between them.
     *
     * <p>If the first fails, the kernel completes the second with {@code -ECANCELED}. If the first
     * transfers less than {@code firstLength}, the kernel counts that a success for a send or receive
     * and starts the second anyway, so the loop cancels the second itself: a receive must not wait
     * for the reply to half a request. The caller sees the short count and the cancelled second.
     *
     * <p>The first may skip its completion on success ({@link SubmissionEntry#skipCompletionOnSuccess()}),
     * if only a complete transfer counts as success (a send with {@code MSG_WAITALL}): the second's
     * completion then stands for both, and the first is reported as {@code firstLength}.
     *
     * @return both results, as {@link #execute} reports them
     */
    public int[] executeLinked(IoUring.Preparation first, int firstLength, IoUring.Preparation second,
                               Duration timeout, String operation) throws IOException {
        long deadline = deadline(timeout);
        // Only the second wakes the caller: the first's completion always comes before it (a link
        // runs in order, and a failed first cancels the second), so one park covers both.
        Operation head = new Operation(first, deadline, null);
        head.expected = firstLength;
        head.next = new Operation(second, deadline, Thread.currentThread());
        head.next.previous = head;
        handOver(head);
        await(head.next);
        if (!head.done) {
            throw new EventLoopClosedException(operation + ": cancelled: the io_uring event loop failed");
        }
        return new int[] {head.outcome(operation), head.next.outcome(operation)};
    }
    // end::execute[]

    // tag::submit[]
    /**
     * Hands over an operation without waiting for it, and without waking the loop: it goes to the
     * kernel with the loop's next batch, whenever that is ({@link Pending#submitted()} says whether it
     * has), so that it costs no system call of its own. The returned handle says whether it has completed and can cancel it;
     * {@code whenDone}, if not null, runs on the loop's thread with the result as soon as the
     * completion is reaped, so it must be short and must not wait.
     */
    public Pending submit(IoUring.Preparation preparation, String operation, IntConsumer whenDone) throws IOException {
        Operation op = new Operation(preparation, Long.MAX_VALUE, null);
        op.whenDone = whenDone;
        op.background = true;
        handOver(op, false);
        return new Pending(op, operation);
    }

    /** An operation handed over with {@link #submit}, running without anyone waiting for it. */
    public final class Pending {
        private final Operation op;
        private final String operation;

        private Pending(Operation op, String operation) {
            this.op = op;
            this.operation = operation;
        }

        /** Whether its completion has been reaped. */
        public boolean isDone() {
            return op.done;
        }

        /** Whether the loop has handed it to the kernel (or it has completed). */
        public boolean submitted() {
            return op.submitted || op.done;
        }

        /** Its result, as {@link #execute} reports it; only once {@link #isDone()}. */
        public int result() throws IOException {
            if (!op.done) {
                throw new IllegalStateException(operation + ": still in flight");
            }
            return op.outcome(operation);
        }

        /**
         * Asks the loop to cancel it, without waiting and without waking the loop: it then completes with
         * {@code -ECANCELED}, or as it was going to. Not yet submitted, it never reaches the kernel.
         */
        public void cancel() {
            if (!op.done) {
                cancellations.add(op);
            }
        }
    }
    // end::submit[]

    /**
     * Like {@link #execute} but turns a negative result into the matching exception, naming
     * {@code operation} and {@code detail}; a timeout becomes {@link SocketTimeoutException}.
     */
    public int call(IoUring.Preparation preparation, Duration timeout, String operation, String detail)
            throws IOException {
        int res = execute(preparation, timeout, operation + (detail == null ? "" : " (" + detail + ")"));
        if (res >= 0) {
            return res;
        }
        if (Errno.ETIME.isResult(res) && timeout != null) {
            throw new SocketTimeoutException(operation + ": timed out after " + timeout.toMillis() + " ms"
                    + (detail == null ? "" : " (" + detail + ")"));
        }
        throw Errno.exception(operation, res, detail);
    }

    /** Whether entries may skip their completion on success ({@link IoUring#canSkipCompletions()}). */
    public boolean canSkipCompletions() {
        return ring.canSkipCompletions();
    }

    /** Whether this kernel implements {@code opcode} (an {@code IORING_OP_*} value). */
    public boolean supports(int opcode) {
        return ring.supports(opcode);
    }

    /** How many {@code io_uring_enter} calls the ring has made so far. */
    public long enterCalls() {
        return ring.enterCalls();
    }

    /**
     * How many completions of operations the ring has posted so far: fewer than
     * {@link #completedOperations()} by those that skipped theirs.
     */
    public long completionsReaped() {
        return reaped;
    }

    /** How many operations have completed so far. */
    public long completedOperations() {
        return completed;
    }

    // tag::hand-over[]
    private void handOver(Operation op) throws IOException {
        handOver(op, true);
    }

    private void handOver(Operation op, boolean wakeLoop) throws IOException {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("the event loop's own thread cannot wait for an operation");
        }
        if (closing) {
            throw new EventLoopClosedException("the io_uring event loop is closed");
        }
        submissions.add(op);
        if (wakeLoop) {
            wake();
        }
        if (terminated && submissions.remove(op)) {
            throw new EventLoopClosedException("the io_uring event loop is closed");
        }
    }

    /** Writes to the eventfd if the loop is waiting in the kernel, once per sleep, whoever comes first. */
    private void wake() throws IOException {
        int state = asleep.get();
        if (state != AWAKE && asleep.compareAndSet(state, AWAKE)) {
            signal();
        }
    }

    private void signal() throws IOException {
        synchronized (wakeLock) {
            // Once closed, the descriptor's number may belong to another file: never write to it then.
            if (!wakeFdClosed) {
                SystemCalls.signal(wakeFd);
            }
        }
    }

    /** Parks until {@code op} has completed; an interrupt cancels the operation, and the wait goes on. */
    private void await(Operation op) {
        boolean interrupted = false;
        while (!op.done) {
            LockSupport.park(this);
            if (Thread.interrupted() && !interrupted) {
                interrupted = true;
                op.interrupted = true;
                cancellations.add(op);
                try {
                    wake();
                } catch (IOException e) {
                    // the loop is going away: it completes every operation as it does
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
    // end::hand-over[]

    // tag::loop[]
    private void run() {
        try {
            while (true) {
                if (!wakeArmed) {
                    ring.prepare(WAKE, entry -> entry.read(wakeFd, wakeCounter));
                    wakeArmed = true;
                }
                drainCancellations();
                drainSubmissions();
                if (closing && closeStep()) {
                    return;
                }
                armTimerForDeadlines();
                if (ring.completionsReady() > 0) {
                    ring.submit();
                } else {
                    // Announce the sleep, then look once more: a caller that queued before seeing it
                    // would otherwise not wake us, and its operation would wait for someone else's.
                    boolean bounded = coalescing();
                    asleep.set(bounded ? BOUNDED : UNBOUNDED);
                    if (!submissions.isEmpty() || !cancellations.isEmpty() || (closing && !cancelledAll)) {
                        asleep.set(AWAKE);
                        continue;
                    }
                    sleep(bounded);
                    asleep.set(AWAKE);
                }
                lastBatch = ring.reap(this::onCompletion);
            }
        } catch (Throwable t) {
            failEverything(t);
        } finally {
            terminate();
        }
    }
    // end::loop[]

    // tag::coalesce[]
    /**
     * Operations in flight that someone is waiting for: a watch posted with {@link #submit} may wait for
     * hours, and a loop that counted it would make a lone request wait out the bound at every step.
     */
    private int awaited() {
        return inFlightCount - backgroundInFlight;
    }

    /**
     * Whether the next wait in the kernel is bounded. With many operations in flight the loop waits
     * for a quarter of them (up to 64), or {@link #COALESCE_NANOS} at most, rather than for the first:
     * a network card's interrupt coalescing, for a ring. One {@code io_uring_enter} then reaps a batch, and the callers it
     * wakes bring their next operations back together. With few in flight the first completion wakes
     * the loop at once, so a lone request never waits for company; and after a bounded wait that found
     * nothing at all, the next wait is unbounded, so that a quiet ring sleeps instead of polling.
     */
    private boolean coalescing() {
        return awaited() >= COALESCE_FROM && lastBatch > 0 && ring.canBoundWaits();
    }

    private void sleep(boolean bounded) throws IOException {
        if (bounded) {
            ring.submitAndWait(Math.min(awaited() / 4, 64), COALESCE_NANOS);
        } else {
            ring.submitAndWait(1);
        }
    }
    // end::coalesce[]

    private void drainCancellations() {
        for (Operation op; (op = cancellations.poll()) != null; ) {
            for (Operation o = op; o != null; o = o.next) {
                o.cancelRequested = true;
            }
            if (op.userData >= 0 && !op.done) {
                cancel(op);
            }
            // A linked operation that has not started yet is no cancellation's to find: cancel what it waits for.
            if (op.previous != null && op.previous.userData >= 0 && !op.previous.done && !op.previous.cancelSent) {
                cancel(op.previous);
            }
        }
    }

    // tag::drain[]
    /** Prepares an entry for each operation handed over; a link chain's entries go in together. */
    private void drainSubmissions() throws IOException {
        for (Operation op; (op = submissions.peek()) != null; ) {
            int needed = op.next == null ? 1 : 2;
            if (ring.freeSlots() < needed + 2) {       // keep room for a cancel and a timer
                ring.submit();
                if (ring.freeSlots() < needed + 2) {
                    return;
                }
            }
            submissions.poll();
            if (op.cancelRequested) {
                for (Operation o = op; o != null; o = o.next) {
                    o.complete(-Errno.ECANCELED.number());
                }
                continue;
            }
            for (Operation o = op; o != null; o = o.next) {
                Operation current = o;
                long userData = assignSlot(current);
                try {
                    ring.prepare(userData, entry -> {
                        current.preparation.prepare(entry);
                        if (current.next != null) {
                            entry.linkNext();
                        }
                        // Only a link's first entry, whose full result is known, may go without a
                        // completion: the next one's completion tells that it succeeded.
                        if (entry.skipsCompletionOnSuccess() && (current.next == null || current.expected < 0)) {
                            throw new IllegalArgumentException("only the first of a linked pair, with a known "
                                    + "length, may skip its completion: nothing else would ever complete it");
                        }
                        current.silentOnSuccess = entry.skipsCompletionOnSuccess();
                    });
                } catch (RuntimeException e) {
                    // Nothing was queued for this one. If an entry before it is linked, a no-op ends the
                    // chain, so that the link cannot reach whichever entry comes next.
                    releaseSlot(current);
                    if (current != op) {
                        ring.prepare(IGNORE, entry -> entry.prepare(0, -1, 0, 0, 0));
                    }
                    for (Operation rest = current; rest != null; rest = rest.next) {
                        rest.failure = e;
                        rest.complete(-Errno.ECANCELED.number());
                    }
                    break;
                }
                earliestDeadline = Math.min(earliestDeadline, current.deadline);
            }
        }
    }
    // end::drain[]

    // tag::completion[]
    private void onCompletion(long userData, int result, int flags) {
        if (userData == WAKE) {
            wakeArmed = false;
        } else if (userData == TIMER) {
            armedTimers.poll();
        } else if (userData >= 0) {
            reaped++;
            int slot = (int) userData;
            Operation op = slot < nextSlot ? inFlight[slot] : null;
            // A completion for a slot reused since (its generation differs) is stale: drop it.
            if (op != null && generations[slot] == (int) (userData >>> 32)) {
                Operation first = op.previous;
                if (first != null && first.silentOnSuccess && !first.done) {
                    // The kernel posts a failed first entry's completion before it cancels what is
                    // linked to it; none so far means the first succeeded, in full (MSG_WAITALL).
                    releaseSlot(first);
                    completed++;
                    first.complete(first.expected);
                }
                releaseSlot(op);
                completed++;
                Operation second = op.next;
                // A first entry that was to skip its completion posted one: it failed, and the kernel
                // then posts nothing for the entries it cancels (REQ_F_SKIP_LINK_CQES).
                boolean secondCancelledSilently = second != null && !second.done && op.silentOnSuccess;
                if (second != null && !second.done && !op.silentOnSuccess && result >= 0 && result < op.expected
                        && !second.cancelSent) {
                    cancel(second);
                }
                op.complete(result);
                if (secondCancelledSilently) {
                    // After the first: the second's waiter, once woken, reads both.
                    releaseSlot(second);
                    completed++;
                    second.complete(-Errno.ECANCELED.number());
                }
            }
        }
        // CANCEL and IGNORE results say nothing the operations' own completions do not.
    }
    // end::completion[]

    /** Cancels what has run out, then arms a timer for the earliest deadline left if none fires by then. */
    private void armTimerForDeadlines() {
        if (earliestDeadline == Long.MAX_VALUE || inFlightCount == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now >= earliestDeadline) {
            cancelExpired(now);
        }
        Long armed = armedTimers.peek();
        if (earliestDeadline != Long.MAX_VALUE && (armed == null || armed > earliestDeadline)) {
            long wait = Math.max(0, earliestDeadline - now);
            __kernel_timespec.tv_sec(timespec, wait / 1_000_000_000L);
            __kernel_timespec.tv_nsec(timespec, wait % 1_000_000_000L);
            ring.prepare(TIMER, entry -> entry.timeout(timespec));
            armedTimers.add(earliestDeadline);
        }
    }

    /** Cancels every operation past its deadline and recomputes the earliest deadline left. */
    private void cancelExpired(long now) {
        long earliest = Long.MAX_VALUE;
        for (int slot = 0; slot < nextSlot; slot++) {
            Operation op = inFlight[slot];
            if (op == null || op.cancelSent) {
                continue;
            }
            if (op.deadline <= now) {
                op.timedOut = true;
                cancel(op);
            } else {
                earliest = Math.min(earliest, op.deadline);
            }
        }
        // While closing, wake by the end of the grace period even if every operation has been cancelled.
        earliestDeadline = cancelledAll ? Math.min(earliest, closeDeadline) : earliest;
    }

    private void cancel(Operation op) {
        op.cancelSent = true;
        if (ring.freeSlots() == 0) {
            try {
                ring.submit();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        ring.prepare(CANCEL, entry -> entry.cancel(op.userData));
    }

    /** One step of closing: refuse what is queued, cancel what is in flight; true once nothing is left. */
    private boolean closeStep() {
        refuseQueued();
        if (!cancelledAll) {
            cancelledAll = true;
            closeDeadline = System.nanoTime() + CLOSE_GRACE_NANOS;
            earliestDeadline = Math.min(earliestDeadline, closeDeadline);
            for (int slot = 0; slot < nextSlot; slot++) {
                Operation op = inFlight[slot];
                if (op != null) {
                    op.loopClosed = true;
                    if (!op.cancelSent) {
                        cancel(op);
                    }
                }
            }
        }
        return inFlightCount == 0 || System.nanoTime() - closeDeadline >= 0;
    }

    /** Completes every operation still queued as refused by a closed loop. */
    private void refuseQueued() {
        for (Operation op; (op = submissions.poll()) != null; ) {
            for (Operation o = op; o != null; o = o.next) {
                o.loopClosed = true;
                o.complete(-Errno.ECANCELED.number());
            }
        }
    }

    private void failEverything(Throwable cause) {
        for (int slot = 0; slot < nextSlot; slot++) {
            Operation op = inFlight[slot];
            if (op != null) {
                op.loopFailure = cause;
                op.loopClosed = true;
                op.complete(-Errno.ECANCELED.number());
            }
        }
    }

    private void terminate() {
        terminated = true;
        refuseQueued();
        // Operations still in flight here ignored cancellation for the whole grace period; closing the ring
        // makes the kernel cancel them. Their callers are released with the loop's closing.
        failEverything(new EventLoopClosedException("the io_uring event loop was closed"));
        ring.close();
        synchronized (wakeLock) {
            wakeFdClosed = true;
            SystemCalls.close(wakeFd);
        }
        arena.close();
    }

    private long assignSlot(Operation op) {
        int slot;
        if (!freeSlots.isEmpty()) {
            slot = freeSlots.pop();
        } else {
            if (nextSlot == inFlight.length) {
                inFlight = java.util.Arrays.copyOf(inFlight, nextSlot * 2);
                generations = java.util.Arrays.copyOf(generations, nextSlot * 2);
            }
            slot = nextSlot++;
        }
        inFlight[slot] = op;
        int generation = ++generations[slot] & Integer.MAX_VALUE;
        generations[slot] = generation;
        inFlightCount++;
        if (op.background) {
            backgroundInFlight++;
        }
        op.slot = slot;
        op.userData = ((long) generation << 32) | slot;
        op.submitted = true;
        return op.userData;
    }

    private void releaseSlot(Operation op) {
        inFlight[op.slot] = null;
        freeSlots.push(op.slot);
        inFlightCount--;
        if (op.background) {
            backgroundInFlight--;
        }
        op.userData = -1;
    }

    /**
     * Stops the loop: operations queued or in flight complete with {@link EventLoopClosedException},
     * after the kernel has let go of their memory; then the ring is closed. Any thread may call it,
     * except the loop's own; it returns once the loop thread has ended.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("the event loop cannot close itself from its own thread");
        }
        closing = true;
        try {
            signal();
        } catch (IOException e) {
            // the loop has ended already
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static long deadline(Duration timeout) {
        if (timeout == null) {
            return Long.MAX_VALUE;
        }
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + Math.max(0, nanos);
    }

    /** One operation: what to prepare, when to give up, who waits, and how it ended. */
    private static final class Operation {
        final IoUring.Preparation preparation;
        final long deadline;
        final Thread waiter;                // null for an operation nobody waits for
        IntConsumer whenDone;
        Operation next, previous;           // linked after, and before, this one
        int expected = -1;                  // a link's first: the result that means "all of it"
        boolean silentOnSuccess;            // loop thread: its entry posts no completion on success
        long userData = -1;                 // loop thread: slot and generation while in flight
        int slot;
        boolean cancelSent, cancelRequested;
        boolean background;                 // handed over with submit(): nobody waits for it
        boolean timedOut, loopClosed;       // written by the loop before done
        volatile boolean interrupted;
        volatile boolean submitted;         // prepared by the loop: in the kernel's hands from its next enter
        RuntimeException failure;
        Throwable loopFailure;
        int result;
        volatile boolean done;

        Operation(IoUring.Preparation preparation, long deadline, Thread waiter) {
            this.preparation = preparation;
            this.deadline = deadline;
            this.waiter = waiter;
        }

        void complete(int res) {
            result = res;
            done = true;                    // volatile: publishes the fields above to the waiter
            if (whenDone != null) {
                try {
                    whenDone.accept(res);
                } catch (RuntimeException e) {
                    // a callback's failure is its own; the loop goes on
                }
            }
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }

        /** The result as the caller sees it, or the exception that ended it. */
        int outcome(String what) throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (loopClosed) {
                var closed = new EventLoopClosedException(what + ": cancelled: the io_uring event loop was closed");
                closed.initCause(loopFailure);
                throw closed;
            }
            if (interrupted) {
                throw new InterruptedIOException(what + ": interrupted");
            }
            return timedOut && result < 0 ? -Errno.ETIME.number() : result;
        }
    }
}
