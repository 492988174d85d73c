package harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The compiled submission: the bytecode of its classes, and class loaders that define them. */
final class UserCode {
    /** Stack lines of the user's own classes shown per exception. */
    private static final int SHOWN_FRAMES = 8;
    /** Causes shown after an exception (Caused by: ...), a guard against cause cycles. */
    private static final int SHOWN_CAUSES = 4;

    private final Map<String, byte[]> classes;

    UserCode(Map<String, byte[]> classes) {
        this.classes = classes;
    }

    /** A loader with its own copy of every class, so with static state of its own. */
    ClassLoader newLoader() {
        return new MemoryClassLoader(classes);
    }

    /** The top-level classes' binary names, in the order javac wrote them. */
    List<String> topLevelClassNames() {
        List<String> names = new ArrayList<>();
        for (String name : classes.keySet()) {
            if (name.indexOf('$') < 0) {
                names.add(name);
            }
        }
        return names;
    }

    boolean declares(String className) {
        return classes.containsKey(className);
    }

    /** The exception as Java prints it, with only the stack lines of the user's classes. */
    String describe(Throwable thrown) {
        StringBuilder text = new StringBuilder(thrown.toString());
        appendUserFrames(text, thrown);
        Throwable cause = thrown.getCause();
        for (int shown = 0; cause != null && shown < SHOWN_CAUSES; shown++, cause = cause.getCause()) {
            text.append("\nCaused by: ").append(cause);
            appendUserFrames(text, cause);
        }
        return text.toString();
    }

    private void appendUserFrames(StringBuilder text, Throwable thrown) {
        int userFrames = 0;
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (classes.containsKey(frame.getClassName())) {
                if (userFrames < SHOWN_FRAMES) {
                    text.append("\n\tat ").append(frame);
                }
                userFrames++;
            }
        }
        if (userFrames > SHOWN_FRAMES) {
            text.append("\n\t... ").append(userFrames - SHOWN_FRAMES).append(" more");
        }
    }

    /**
     * Defines the user's classes itself before asking its parent, so that a submission's own
     * ListNode or TreeNode wins over the predefined one on the class path.
     */
    private static final class MemoryClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        MemoryClassLoader(Map<String, byte[]> classes) {
            super(UserCode.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            byte[] bytecode = classes.get(name);
            if (bytecode == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = defineClass(name, bytecode, 0, bytecode.length);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
