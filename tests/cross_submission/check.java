import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class Solution {
    /** What a sandbox shows a submission: the same whatever ran in it before. */
    public Object check(int ignored) throws Exception {
        List<String> left = new ArrayList<>();
        // Only the planted names: the harness runs in this JVM, and its own files are not leftovers.
        List<String> planted = new ArrayList<>();
        for (String name : new String[] {".hidden", "dir", "fifo", "link", "planted"}) {
            if (Files.exists(Path.of("/tmp", name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                planted.add(name);
            }
        }
        if (!planted.isEmpty()) {
            left.add("/tmp holds " + planted);
        }
        // Java cannot chdir, but the process's real directory is there to read, and user.dir
        // is the JVM's notion of it.
        String cwd = Files.readSymbolicLink(Path.of("/proc/self/cwd")).toString();
        if (!cwd.equals("/tmp")) {
            left.add("cwd " + cwd);
        }
        if (!"/tmp".equals(System.getProperty("user.dir"))) {
            left.add("user.dir " + System.getProperty("user.dir"));
        }
        if (System.getenv("PLANTED") != null || System.getenv().containsKey("PLANTED")) {
            left.add("environment");
        }
        left.addAll(sysvObjects());
        left.addAll(otherProcesses());
        // Java cannot bind an abstract socket (UnixDomainSocketAddress refuses a NUL), but the
        // kernel lists bound ones, as "@name", in /proc/net/unix.
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            if (line.endsWith(" @planted")) {
                left.add("abstract socket");
                break;
            }
        }
        try {
            byte[] block = new byte[150 << 20]; // most of the heap: none taken by another
            for (int i = 0; i < block.length; i += 4096) {
                block[i] = 1;
            }
        } catch (OutOfMemoryError e) {
            left.add("memory");
        }
        // Processes started at once, about half of the 64 pids (the JVM's threads take some).
        List<Process> children = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                children.add(new ProcessBuilder("true")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
        } catch (IOException e) {
            left.add("pids");
        }
        for (Process child : children) {
            child.waitFor();
        }
        return left.isEmpty() ? "clean" : left;
    }

    private static List<String> sysvObjects() throws IOException {
        List<String> found = new ArrayList<>();
        for (String kind : new String[] {"shm", "sem", "msg"}) {
            List<String> table = Files.readAllLines(Path.of("/proc/sysvipc", kind));
            for (String line : table.subList(Math.min(1, table.size()), table.size())) {
                String[] fields = line.trim().split("\\s+");
                found.add(kind + " " + (fields.length > 1 ? fields[1] : line.trim()));
            }
        }
        return found;
    }

    /** Live processes of this uid other than this JVM, its parent and its own children. */
    private static List<String> otherProcesses() {
        long self = ProcessHandle.current().pid();
        String uid = null;
        Map<String, Map<String, String>> statuses = new TreeMap<>();
        File[] entries = new File("/proc").listFiles();
        for (File entry : entries == null ? new File[0] : entries) {
            if (!entry.getName().matches("\\d+")) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            try {
                for (String line : Files.readAllLines(entry.toPath().resolve("status"))) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                    }
                }
            } catch (IOException | RuntimeException gone) {
                continue;
            }
            if (Long.parseLong(entry.getName()) == self) {
                uid = fields.get("Uid").split("\\s+")[0];
            }
            statuses.put(entry.getName(), fields);
        }
        String parent = statuses.containsKey(Long.toString(self))
                ? statuses.get(Long.toString(self)).get("PPid") : "";
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> process : statuses.entrySet()) {
            Map<String, String> fields = process.getValue();
            String pid = process.getKey();
            if (pid.equals(Long.toString(self)) || pid.equals(parent)
                    || Long.toString(self).equals(fields.get("PPid"))) {
                continue;
            }
            String state = fields.getOrDefault("State", "X").split("\\s+")[0];
            String owner = fields.getOrDefault("Uid", "").split("\\s+")[0];
            if (owner.equals(uid) && !state.equals("Z") && !state.equals("X")) {
                found.add("process " + fields.getOrDefault("Name", pid));
            }
        }
        return found;
    }
}
