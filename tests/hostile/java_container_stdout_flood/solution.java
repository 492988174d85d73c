import java.io.*;

// Test 1 tries to open the container's stdout and stderr, which PID 1 (the supervisor,
// another uid) holds, to write 40 MB without a newline to each: it says whether both opens
// failed for lack of permission. Test 2 prints 20 MB without a newline to each of
// System.out and System.err, far past the output limit. Test 3 writes 20 MB to each of the
// harness's own descriptors 1 and 2, below System.out, which the supervisor drains and
// discards: it must neither stall nor count as the test's output. Test 4 is honest.
class Solution {
    public Object f(int n) throws IOException {
        switch (n) {
            case 1: {
                int denied = 0;
                for (String path : new String[] {"/proc/1/fd/1", "/proc/1/fd/2"}) {
                    try (FileOutputStream out = new FileOutputStream(path)) {
                        flood(out, 40);
                    } catch (FileNotFoundException e) {
                        if (String.valueOf(e.getMessage()).contains("Permission denied")) {
                            denied++;
                        }
                    }
                }
                return denied == 2;
            }
            case 2:
                flood(System.out, 20);
                flood(System.err, 20);
                return n;
            case 3:
                flood(new FileOutputStream(FileDescriptor.out), 20);
                flood(new FileOutputStream(FileDescriptor.err), 20);
                return n;
            default:
                return n;
        }
    }

    /** Writes {@code mb} megabytes of 'x', a megabyte a write. */
    static void flood(OutputStream out, int mb) throws IOException {
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < mb; i++) {
            out.write(chunk);
        }
        out.flush();
    }
}
