import java.io.*;
import java.nio.charset.StandardCharsets;

// Each test prints the out-of-memory words of every runtime to System.err and to the
// harness's own stderr (descriptor 2, whose tail the supervisor shows if the harness dies),
// then fails in its own way: test 1 throws an exception whose message is the JVM's heap
// error, test 2 calls Runtime.halt(3), test 3 kills its own JVM with SIGKILL. No memory ran
// out: each is a runtime error, never the memory limit.
class Solution {
    static final String WORDS = "out of memory\n"
            + "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"
            + "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
            + "harness: java.lang.OutOfMemoryError: out of memory\n"
            + "terminate called after throwing an instance of 'std::bad_alloc'\n"
            + "MemoryError\n"
            + "fatal error: runtime: out of memory\n";

    public int f(int n) throws Exception {
        System.err.print(WORDS);
        new FileOutputStream(FileDescriptor.err).write(WORDS.getBytes(StandardCharsets.UTF_8));
        switch (n) {
            case 1:
                throw new IllegalStateException("java.lang.OutOfMemoryError: Java heap space");
            case 2:
                Runtime.getRuntime().halt(3);
                return n;
            case 3:
                String self = Long.toString(ProcessHandle.current().pid());
                new ProcessBuilder("/bin/sh", "-c", "kill -KILL " + self).inheritIO().start().waitFor();
                Thread.sleep(10_000);
                return n;
            default:
                return n;
        }
    }
}
