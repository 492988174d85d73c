import java.nio.file.*;

// Tries to create /dev/shm/x and /dev/mqueue/x: the sandbox has no /dev/shm and masks
// /dev/mqueue, so both must fail.
class Solution {
    public boolean f() {
        int failed = 0;
        for (String path : new String[] {"/dev/shm/x", "/dev/mqueue/x"}) {
            try {
                Files.writeString(Path.of(path), "x");
            } catch (Exception e) {
                failed++;
            }
        }
        return failed == 2;
    }
}
