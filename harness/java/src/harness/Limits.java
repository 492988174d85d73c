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
    /** What is kept of a load_failed message (javac's report of a flood of errors, say). */
    static final int MESSAGE_LIMIT_BYTES = 64 << 10;

    /** The container's stderr, taken before anything replaces System.err: the worker reads it. */
    private static final FileOutputStream CONTAINER_STDERR = new FileOutputStream(FileDescriptor.err);
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
     * System.err, which is the test's capture), and when it is an OutOfMemoryError also says so
     * on the container's stderr and counts it for the test that is running.
     */
    static void installUncaughtHandler() {
        Thread.setDefaultUncaughtExceptionHandler(Limits::uncaught);
    }

    private static void uncaught(Thread thread, Throwable thrown) {
        if (thrown instanceof OutOfMemoryError) {
            if (isOutOfMemory(thrown)) {
                escapedOutOfMemoryErrors++;
            }
            try {
                tellContainer("harness: out of memory in thread \"" + thread.getName() + "\": " + thrown + "\n");
            } catch (Throwable noMemory) {
                tellContainerOutOfMemory();
            }
        }
        try {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            thrown.printStackTrace(System.err);
        } catch (Throwable ignored) { // out of memory again: the note above is all there is
        }
    }

    /**
     * The harness itself failed: a malformed job, its own bug, or no memory left (a thread the
     * user's code left running holds the heap). Said on the container's stderr, "out of memory"
     * first when it is that, as the JVM is about to halt.
     */
    static void harnessFailed(PrintStream stderr, Throwable failure) {
        if (failure instanceof OutOfMemoryError) {
            tellContainerOutOfMemory(); // first, in case the trace cannot be built
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
     * Writes {@code text} on the container's stderr; with no memory left to build it, a fixed
     * note that still says "out of memory", which the worker looks for when the JVM dies.
     */
    private static void tellContainer(String text) {
        try {
            CONTAINER_STDERR.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (Throwable failed) {
            try {
                CONTAINER_STDERR.write(OUT_OF_MEMORY_NOTE);
            } catch (Throwable ignored) { // nothing more can be said
            }
        }
    }

    /** Writes the fixed out-of-memory note on the container's stderr. */
    private static void tellContainerOutOfMemory() {
        try {
            CONTAINER_STDERR.write(OUT_OF_MEMORY_NOTE);
        } catch (Throwable ignored) { // nothing more can be said
        }
    }

    /** {@code text} cut to at most {@code limit} bytes of UTF-8, with a note when it was cut. */
    static String capped(String text, int limit) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            int size = utf8Size(text.charAt(i));
            if (bytes + size > limit) {
                int end = i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? i - 1 : i;
                long total = bytes;
                for (int j = i; j < text.length(); j++) {
                    total += utf8Size(text.charAt(j));
                }
                return text.substring(0, end) + "\n[truncated: " + total + " bytes, " + limit + " kept]";
            }
            bytes += size;
        }
        return text;
    }

    /** The bytes {@code c} takes in UTF-8; each half of a surrogate pair counts 2 of its 4. */
    static int utf8Size(char c) {
        return c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
}
