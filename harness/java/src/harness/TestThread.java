package harness;

/**
 * The thread the tests run on. After a test that grew the JVM's resident memory by more than
 * {@link #RENEWAL_GROWTH_KB} (a deep recursion touches up to 32 MB of stack, resident while its
 * thread lives), the next test gets a fresh thread when the sandbox has one to give, started
 * before the previous one is let go, so that the stack is given back; when it has none (a test
 * took all 64 processes and threads the sandbox allows, and left them running), the tests go on
 * on the thread they have. A thread the user's code stopped is replaced before the next test.
 * Other tests keep their thread: starting one costs more than a trivial test.
 */
final class TestThread {
    /**
     * Recursion some 100,000 calls deep works, and a StackOverflowError ends only that test.
     * Not more: an overflow leaves about 2.5 times this much native memory in use, which must
     * fit beside the heap (see jvm.options).
     */
    private static final long STACK_BYTES = 32L << 20;
    /** Growth of resident memory in one test, in KiB, after which its thread is replaced. */
    static final long RENEWAL_GROWTH_KB = 4 << 10;

    private final Object lock = new Object();
    /** The thread that takes the next test; any other serving thread ends. Guarded by lock. */
    private Thread current;
    /** The test handed over and not yet taken; guarded by lock. */
    private Runnable pending;
    /** Whether the test handed over last has ended; guarded by lock. */
    private boolean finished = true;

    /** Starts the first thread; an OutOfMemoryError when the sandbox has none to give. */
    TestThread() {
        Thread first = newThread();
        synchronized (lock) {
            current = first;
        }
        first.start();
    }

    private Thread newThread() {
        Thread thread = new Thread(null, this::serve, "test", STACK_BYTES);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Runs {@code test} on the test thread and waits for it to end. Returns false when the
     * thread died before the test ended (user code stopped it); an OutOfMemoryError when it was
     * dead before and no other could be started.
     */
    boolean run(Runnable test) {
        boolean ended;
        synchronized (lock) {
            if (!current.isAlive()) { // stopped by user code: a new one, or the OutOfMemoryError
                Thread replacement = newThread();
                replacement.start();
                current = replacement;
            }
            pending = test;
            finished = false;
            lock.notifyAll();
            while (!finished && current.isAlive()) {
                try {
                    lock.wait(100); // a timeout only to notice a thread that died
                } catch (InterruptedException ignored) { // only user code could; the test runs on
                }
            }
            pending = null;
            ended = finished;
        }
        return ended;
    }

    /**
     * Starts a fresh thread for the next test, if it can; the one before ends once it sees it is
     * not current.
     */
    void renew() {
        Thread next;
        try {
            next = newThread();
        } catch (OutOfMemoryError heapFull) { // keep the one there is
            return;
        }
        Thread previous;
        synchronized (lock) {
            previous = current;
            current = next; // the previous thread ends only once this one is alive
        }
        try {
            next.start();
        } catch (OutOfMemoryError noThreadLeft) { // the sandbox's pids limit: keep the one there is
            synchronized (lock) {
                current = previous;
            }
            return;
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void serve() {
        Thread self = Thread.currentThread();
        while (true) {
            Runnable test;
            synchronized (lock) {
                while (current != self || pending == null) {
                    if (current != self && current.isAlive()) {
                        return; // replaced: this thread and its stack go
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException ignored) { // by user code between tests
                    }
                }
                test = pending;
                pending = null;
            }
            try {
                test.run();
            } catch (Throwable ignored) { // the test's own wrapper reports what it can
            } finally {
                Thread.interrupted(); // an interrupt the test left must not reach the next
                synchronized (lock) {
                    finished = true;
                    lock.notifyAll();
                }
            }
        }
    }
}
