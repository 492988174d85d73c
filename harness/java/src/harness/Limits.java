package harness;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The limits the harness reports: memory (its measure and its errors) and the size of text. */
final class Limits {
    /** Default caps when the job does not give them (harness/PROTOCOL.md). */
    static final int DEFAULT_OUTPUT_LIMIT_BYTES = 8192;
    static final int DEFAULT_VALUE_LIMIT_BYTES = 32768;
    /** What is sent of a load_failed message (javac's report of a flood of errors, say). */
    static final int MESSAGE_LIMIT_BYTES = 64 << 10;

    /**
     * The harness's own stderr, taken before anything replaces System.err: a pipe the supervisor
     * drains, whose tail it shows only if the harness dies.
     */
    private static final FileOutputStream HARNESS_STDERR = new FileOutputStream(FileDescriptor.err);
    /** Written before anything else when memory has run out: it needs no allocation. */
    private static final byte[] OUT_OF_MEMORY_NOTE =
            "harness: java.lang.OutOfMemoryError: out of memory\n".getBytes(StandardCharsets.UTF_8);
    private static final Path STATUS = Path.of("/proc/self/status");

    /** OutOfMemoryErrors that escaped a thread of the user's code, counted so a test can see them. */
    private static volatile int escapedOutOfMemoryErrors;
    private static long lastPeakKb;

    /*
     * With the heap full, the first use of a class from harness code can itself fail: the class
     * loader is asked for it, in Java, which allocates. The classes of the out-of-memory paths
     * are resolved here, while there is memory.
     */
    static {
        isOutOfMemory(new OutOfMemoryError());
    }

    private Limits() {}

    /**
     * Whether {@code thrown} is the JVM running out of memory: the heap, metaspace, an array
     * too large for the VM. "unable to create native thread" is an OutOfMemoryError too, but it
     * is the sandbox's limit of 64 processes and threads, not memory: that one is a plain
     * runtime error (no limit "memory").
     */
    static boolean isOutOfMemory(Throwable thrown) {
        if (!(thrown instanceof OutOfMemoryError)) {
            return false;
        }
        String message = thrown.getMessage();
        return message == null || !message.contains("native thread");
    }

    /**
     * The JVM's peak resident set size in KiB: VmHWM of /proc/self/status, read after each test.
     * It is the whole JVM's, as the user's code runs in this process: the JVM itself with javac
     * loaded (~57 MB for a trivial test), the heap as it grew, thread stacks; and a peak, so it
     * never falls from one test to the next.
     */
    static long peakMemoryKb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    lastPeakKb = Long.parseLong(line.substring(6).replace("kB", "").strip());
                    break;
                }
            }
        } catch (IOException | RuntimeException | OutOfMemoryError unreadable) {
            // The last figure read stands.
        }
        return lastPeakKb;
    }

    /**
     * Handles what a thread of the user's code did not catch, as the JVM would (printed to
     * System.err, which is the test's capture), and counts an OutOfMemoryError for the test
     * that is running.
     */
    static void installUncaughtHandler() {
        Thread.setDefaultUncaughtExceptionHandler(Limits::uncaught);
    }

    private static void uncaught(Thread thread, Throwable thrown) {
        if (isOutOfMemory(thrown)) {
            escapedOutOfMemoryErrors++;
        }
        try {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            thrown.printStackTrace(System.err);
        } catch (Throwable ignored) { // out of memory again: the count above is all there is
        }
    }

    /**
     * The harness itself failed: a malformed job, a reply path it cannot write, its own bug, or
     * no memory left (a thread the user's code left running holds the heap). Said on the
     * harness's stderr, "out of memory" first when it is that, as the JVM is about to halt.
     */
    static void harnessFailed(PrintStream stderr, Throwable failure) {
        if (failure instanceof OutOfMemoryError) {
            try { // first, and without allocating, in case the trace cannot be built
                HARNESS_STDERR.write(OUT_OF_MEMORY_NOTE);
            } catch (Throwable ignored) { // nothing more can be said
            }
        }
        try {
            stderr.print("harness: ");
            failure.printStackTrace(stderr);
        } catch (Throwable ignored) { // out of memory again
        }
    }

    static int escapedOutOfMemoryErrors() {
        return escapedOutOfMemoryErrors;
    }

    /**
     * {@code text} cut to at most {@code limit} bytes of UTF-8, on a character boundary and with
     * no note: the supervisor notes the cut.
     */
    static String cut(String text, int limit) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            bytes += utf8Size(text.charAt(i));
            if (bytes > limit) {
                return text.substring(0, i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? i - 1 : i);
            }
        }
        return text;
    }

    /** The bytes {@code c} takes in UTF-8; each half of a surrogate pair counts 2 of its 4. */
    static int utf8Size(char c) {
        return c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
}
