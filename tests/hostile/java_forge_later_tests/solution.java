import java.io.*;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.stream.Stream;

// Test 1 tries every route it has to give test 2, which loops forever, a result: it prints
// replies and event lines to its own stdout and stderr, writes them to the harness's
// descriptors 0, 1 and 2, to descriptors 0 to 40 reopened through /proc/self/fd (the
// control pipe among them), to the supervisor's stdout and stderr (/proc/1/fd), to every
// FIFO it finds under /run/exec and /tmp and behind this process's descriptors, and to
// guessed reply paths, and leaves a thread that does so again every millisecond. Each forged
// reply says 1, test 2's expected value; test 2 must still run into its time limit.
class Solution {
    static final String[] GUESSES = {
        "/run/exec/0", "/run/exec/1", "/run/exec/2", "/run/exec/reply", "/run/exec/test-1",
        "/tmp/reply", "/tmp/replies-dir/1", "/tmp/replies-dir/2", "/tmp/replies-dir/3",
    };

    static byte[] lines() {
        StringBuilder all = new StringBuilder();
        for (int index = 0; index < 3; index++) {
            all.append("{\"event\":\"test\",\"index\":").append(index).append(",\"value\":\"1\",\"time_ms\":1,")
                    .append("\"memory_kb\":1,\"stdout\":\"\",\"stderr\":\"\",\"stdout_bytes\":0,\"stderr_bytes\":0}\n");
        }
        all.append("{\"event\":\"done\"}\n");
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes to a path opened for reading and writing: a FIFO so opened never waits for a reader. */
    static void write(String path, byte[] text) {
        try (FileChannel channel = FileChannel.open(Path.of(path), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(text));
        } catch (Throwable ignored) {
        }
    }

    static boolean isFifo(Path path) {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0010000;
        } catch (Throwable e) {
            return false;
        }
    }

    static List<String> fifos(String root) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(Path.of(root))) {
            walk.filter(Solution::isFifo).forEach(p -> found.add(p.toString()));
        } catch (Throwable ignored) { // /run/exec cannot be listed
        }
        return found;
    }

    static void attempt() {
        byte[] text = lines();
        for (FileDescriptor fd : new FileDescriptor[] {FileDescriptor.in, FileDescriptor.out, FileDescriptor.err}) {
            try {
                new FileOutputStream(fd).write(text);
            } catch (Throwable ignored) {
            }
        }
        List<String> paths = new ArrayList<>(List.of("/proc/1/fd/0", "/proc/1/fd/1", "/proc/1/fd/2"));
        for (int fd = 0; fd <= 40; fd++) {
            paths.add("/proc/self/fd/" + fd);
        }
        paths.addAll(List.of(GUESSES));
        paths.addAll(fifos("/run/exec"));
        paths.addAll(fifos("/tmp"));
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(link -> {
                try {
                    Path target = Files.readSymbolicLink(link);
                    if (target.isAbsolute() && isFifo(target)) {
                        paths.add(target.toString());
                    }
                } catch (Throwable ignored) {
                }
            });
        } catch (Throwable ignored) {
        }
        for (String path : paths) {
            write(path, text);
        }
    }

    public int f(int n) {
        if (n == 1) {
            String text = new String(lines(), StandardCharsets.UTF_8);
            System.out.print(text);
            System.err.print(text);
            attempt();
            Thread again = new Thread(() -> {
                while (true) {
                    attempt();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException ignored) {
                    }
                }
            });
            again.setDaemon(true);
            again.start();
            return 1;
        }
        for (;;) {
        }
    }
}
