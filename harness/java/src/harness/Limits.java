package harness;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
    private static final String STATUS = "/proc/self/status";
    private static final byte[] VM_HWM = "VmHWM:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VM_RSS = "VmRSS:".getBytes(StandardCharsets.US_ASCII);
    /** Room for all of /proc/self/status, about 1.5 KB. */
    private static final byte[] STATUS_TEXT = new byte[8192];
    /** Opened at the first reading (see the static block); only the harness's thread reads it. */
    private static RandomAccessFile status;

    /** OutOfMemoryErrors that escaped a thread of the user's code, counted so a test can see them. */
    private static volatile int escapedOutOfMemoryErrors;
    private static long peakKb;
    private static long residentKb;

    /*
     * With the heap full, the first use of a class from harness code can itself fail: the class
     * loader is asked for it, in Java, which allocates. The classes of the out-of-memory paths
     * are resolved here, while there is memory; and the status file is opened.
     */
    static {
        isOutOfMemory(new OutOfMemoryError());
        readMemory();
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
     * Reads the JVM's memory figures from /proc/self/status, for {@link #peakMemoryKb} and
     * {@link #residentKb}. The file stays open and is read again from its start into one
     * buffer, parsed in place: no allocation, and no cost beyond the read.
     */
    static void readMemory() {
        try {
            if (status == null) {
                status = new RandomAccessFile(STATUS, "r");
            }
            status.seek(0);
            int length = 0;
            for (int read; length < STATUS_TEXT.length
                    && (read = status.read(STATUS_TEXT, length, STATUS_TEXT.length - length)) > 0; ) {
                length += read;
            }
            // VmHWM, then VmRSS, a third into the file: the rest is not parsed.
            long peak = -1;
            long resident = -1;
            for (int line = 0; line < length && resident < 0; line = endOfLine(STATUS_TEXT, line, length) + 1) {
                if (peak < 0) {
                    peak = field(STATUS_TEXT, line, length, VM_HWM);
                } else {
                    resident = field(STATUS_TEXT, line, length, VM_RSS);
                }
            }
            if (peak >= 0 && resident >= 0) {
                peakKb = peak;
                residentKb = resident;
            }
        } catch (IOException | RuntimeException | OutOfMemoryError unreadable) {
            // The last figures read stand.
        }
    }

    /**
     * The JVM's peak resident set size in KiB (VmHWM) at the last {@link #readMemory}, which
     * follows each test. It is the whole JVM's, as the user's code runs in this process: the
     * JVM itself (~57 MB for a trivial test with javac loaded, ~46 MB when the code came as a
     * build), the heap as it grew, thread stacks; and a peak, so it never falls from one test to
     * the next.
     */
    static long peakMemoryKb() {
        return peakKb;
    }

    /** The JVM's resident set size in KiB (VmRSS) at the last {@link #readMemory}. */
    static long residentKb() {
        return residentKb;
    }

    /** The number after {@code name} ("VmHWM:") if the line at {@code line} starts with it; else -1. */
    private static long field(byte[] text, int line, int length, byte[] name) {
        if (!Arrays.equals(text, line, Math.min(line + name.length, length), name, 0, name.length)) {
            return -1;
        }
        int at = line + name.length;
        while (at < length && (text[at] == ' ' || text[at] == '\t')) {
            at++;
        }
        int digits = at;
        long value = 0;
        for (; at < length && text[at] >= '0' && text[at] <= '9'; at++) {
            value = value * 10 + (text[at] - '0');
        }
        return at > digits ? value : -1;
    }

    private static int endOfLine(byte[] text, int from, int length) {
        int at = from;
        while (at < length && text[at] != '\n') {
            at++;
        }
        return at;
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
