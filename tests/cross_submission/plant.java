import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

class Solution {
    /** Leaves behind everything a later submission in the same sandbox could find. */
    public String plant(int ignored) {
        quietly(() -> {
            Files.createDirectories(Path.of("/tmp/dir/deeper"));
            for (String path : new String[] {"/tmp/planted", "/tmp/dir/file", "/tmp/dir/deeper/file", "/tmp/.hidden"}) {
                Files.writeString(Path.of(path), "planted");
            }
        });
        // The memory holder's program, written before /tmp/dir loses its write permission.
        quietly(() -> Files.writeString(Path.of("/tmp/dir/Hold.java"),
                "class Hold { public static void main(String[] a) throws Exception { Thread.sleep(120_000); } }"));
        quietly(() -> Files.createSymbolicLink(Path.of("/tmp/link"), Path.of("/etc/passwd")));
        quietly(() -> Files.createSymbolicLink(Path.of("/tmp/dir/loop"), Path.of("/tmp")));
        // Java cannot call mkfifo, shmget, semget or msgget, nor bind an abstract socket
        // (UnixDomainSocketAddress refuses a NUL): the image's commands do it. Processes in
        // sessions of their own, started by one shell, so that the JVM keeps no reaper thread
        // (nor pid) for each: 15 sleepers, perl listening on the abstract socket "\0planted",
        // and a JVM holding ~100 MB (its heap, committed and touched at start).
        String script = String.join("\n",
                "mkfifo /tmp/fifo",
                "ipcmk -M 1048576", "ipcmk -M 1048576", "ipcmk -S 1", "ipcmk -Q",
                "i=0; while [ $i -lt 15 ]; do setsid sleep 120 & i=$((i + 1)); done",
                "setsid perl -MSocket -e 'socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die;"
                        + " bind($s, pack_sockaddr_un(\"\\0planted\")) or die; listen($s, 5) or die; sleep 120' &",
                "setsid java -Xms100m -Xmx100m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                        + " -XX:-UsePerfData /tmp/dir/Hold.java &",
                "exit 0");
        quietly(() -> new ProcessBuilder("sh", "-c", script)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor());
        // A directory its owner cannot write, to be removed anyway.
        quietly(() -> Files.setPosixFilePermissions(Path.of("/tmp/dir"), PosixFilePermissions.fromString("r-x------")));
        // PLANTED=1 in System.getenv(): the JDK's environment map is unmodifiable and its
        // package closed to reflection, but sun.misc.Unsafe reaches the map behind it.
        quietly(() -> {
            Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
            Field environment = Class.forName("java.lang.ProcessEnvironment").getDeclaredField("theUnmodifiableEnvironment");
            Object unmodifiable = unsafe.getObject(unsafe.staticFieldBase(environment), unsafe.staticFieldOffset(environment));
            Field inner = Class.forName("java.util.Collections$UnmodifiableMap").getDeclaredField("m");
            @SuppressWarnings("unchecked")
            java.util.Map<String, String> map = (java.util.Map<String, String>) unsafe.getObject(unmodifiable, unsafe.objectFieldOffset(inner));
            map.put("PLANTED", "1");
        });
        // Java cannot chdir: the JVM's notion of it, user.dir, is what a later submission reads.
        quietly(() -> System.setProperty("user.dir", "/tmp/dir"));
        return "planted";
    }

    private interface Step {
        void run() throws Throwable;
    }

    /** Errors while planting are ignored. */
    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Throwable ignored) {
        }
    }
}
