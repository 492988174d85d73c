package harness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compiled submission: the bytecode of its classes, and class loaders that define them. It
 * comes from javac (SourceCompiler) or from a build, the same classes as javac made them
 * earlier (harness/PROTOCOL.md, "Builds").
 */
final class UserCode {
    /** Stack lines of the user's own classes shown per exception. */
    private static final int SHOWN_FRAMES = 8;
    /** Causes shown after an exception (Caused by: ...), a guard against cause cycles. */
    private static final int SHOWN_CAUSES = 4;
    /** What every class file begins with. */
    private static final int CLASS_MAGIC = 0xCAFEBABE;

    private final Map<String, byte[]> classes;
    /** The classes of the code's own file, not of the job's other .java files. */
    private final Set<String> codeClasses;

    UserCode(Map<String, byte[]> classes, Set<String> codeClasses) {
        this.classes = classes;
        this.codeClasses = codeClasses;
    }

    /**
     * The classes of {@code build} ({@link #build}'s text). Only this class and java.base are
     * used: javac's classes are not loaded at all.
     */
    static UserCode fromBuild(String build) throws LoadFailure {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(build);
        } catch (IllegalArgumentException notBase64) {
            throw new LoadFailure("the cached build does not load: it is not base64: " + notBase64.getMessage());
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Set<String> codeClasses = new HashSet<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(decoded))) {
            int count = in.readInt();
            if (count <= 0) {
                throw new IOException("it holds no class");
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                if (in.readBoolean()) {
                    codeClasses.add(name);
                }
                int length = in.readInt();
                if (length < 4 || length > in.available()) {
                    throw new IOException("class " + name + " is cut short");
                }
                byte[] bytecode = in.readNBytes(length);
                if (((bytecode[0] & 0xff) << 24 | (bytecode[1] & 0xff) << 16 | (bytecode[2] & 0xff) << 8
                        | (bytecode[3] & 0xff)) != CLASS_MAGIC) {
                    throw new IOException(name + " is not a class file");
                }
                classes.put(name, bytecode);
            }
            if (in.available() > 0) {
                throw new IOException("it has bytes after its last class");
            }
        } catch (EOFException cut) {
            throw new LoadFailure("the cached build does not load: it is cut short");
        } catch (IOException unreadable) {
            throw new LoadFailure("the cached build does not load: " + unreadable.getMessage());
        }
        return new UserCode(classes, codeClasses);
    }

    /**
     * The build of these classes, which {@link #fromBuild} loads again: base64 of their count,
     * then each one's binary name, whether the code's own file declares it, length and
     * bytecode, in javac's order.
     */
    String build() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(classes.size());
            for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeBoolean(codeClasses.contains(entry.getKey()));
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
        } catch (IOException impossible) { // in memory
            throw new IllegalStateException(impossible);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
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

    /** Whether the code's own file declares the class, not one of the job's other .java files. */
    boolean codeDeclares(String className) {
        return codeClasses.contains(className);
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
