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

    /** What {@link #take} returns: the text kept, and how many bytes were written in all. */
    record Taken(String text, long written) {}

    private static final Taken NOTHING = new Taken("", 0);

    /**
     * What was written since the last call: the text kept, decoded as UTF-8 and cut to the limit
     * on a character boundary (where the limit split a character, its first bytes are dropped,
     * and undecodable bytes, each read as U+FFFD of three bytes, cannot take the text past the
     * limit), and the count of every byte written.
     */
    synchronized Taken take() {
        if (written == 0) {
            return NOTHING;
        }
        byte[] bytes = kept.toByteArray();
        int end = written > bytes.length ? withoutSplitCharacter(bytes) : bytes.length;
        Taken taken = new Taken(Limits.cut(new String(bytes, 0, end, StandardCharsets.UTF_8), limit), written);
        kept.reset();
        written = 0;
        return taken;
    }

    /** The length of {@code bytes} without a character that its last bytes only begin. */
    private static int withoutSplitCharacter(byte[] bytes) {
        for (int i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
            int b = bytes[i] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // a continuation byte: its lead is further back
            }
            int size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return bytes.length - i < size ? i : bytes.length;
        }
        return bytes.length;
    }
}
