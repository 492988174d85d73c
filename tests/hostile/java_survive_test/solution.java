import java.io.IOException;
import java.nio.file.*;

// Test 1 starts, through setsid, a shell in a session of its own that puts a subshell in the
// background and exits, so the subshell belongs to no one: it ignores SIGHUP and SIGTERM,
// sleeps 2 s, then writes /tmp/marker. Test 2 waits 3 s and says whether /tmp/marker exists
// or any process of this uid other than this JVM is alive (not counting zombies, which are
// dead): both must be gone, killed by the supervisor after test 1's reply.
class Solution {
    public boolean f(int n) throws Exception {
        if (n == 1) {
            Process shell = new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c",
                    "(trap '' HUP TERM; sleep 2; echo alive > /tmp/marker) </dev/null >/dev/null 2>&1 &")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return shell.waitFor() == 0;
        }
        Thread.sleep(3000);
        return Files.exists(Path.of("/tmp/marker")) || othersAlive();
    }

    static boolean othersAlive() throws IOException {
        String self = Long.toString(ProcessHandle.current().pid());
        String uid = field(Path.of("/proc/self/status"), "Uid:");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().equals(self)) {
                    continue;
                }
                try {
                    Path status = entry.resolve("status");
                    if (uid.equals(field(status, "Uid:")) && !"Z".equals(field(status, "State:"))) {
                        return true;
                    }
                } catch (IOException gone) { // it ended while we looked
                }
            }
        }
        return false;
    }

    /** The first word after {@code name} in a /proc status file. */
    static String field(Path status, String name) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(name)) {
                return line.substring(name.length()).trim().split("\\s+")[0];
            }
        }
        return "";
    }
}
