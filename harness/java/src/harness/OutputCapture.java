package harness;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What one test wrote to System.out or System.err. It keeps the first {@code limit} bytes in
 * memory and only counts the rest, so printing without end costs neither memory nor the
 * 64 MB /tmp.
 */
final class OutputCapture extends OutputStream {
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long written;

    OutputCapture(int limit) {
        this.limit = limit;
    }

    /** A stream to install as System.out or System.err; it writes through at once. */
    PrintStream printStream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (written < limit) {
            kept.write(b);
        }
        written++;
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        long room = Math.max(0, limit - written);
        kept.write(bytes, offset, (int) Math.min(room, length));
        written += length;
    }

    /** Whether more was written since the last {@link #take} than is kept. */
    synchronized boolean overflowed() {
        return written > limit;
    }

    /** The text captured since the last call, with a note when some was dropped. */
    synchronized String take() {
        String text = kept.toString(StandardCharsets.UTF_8);
        if (written > limit) {
            text += "\n[output truncated: " + written + " bytes written, " + limit + " kept]";
        }
        kept.reset();
        written = 0;
        return text;
    }
}
