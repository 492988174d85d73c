package harness;

import com.google.gson.JsonElement;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole program: the static main(String[]) of the code's class Main, of its Solution, or of
 * the first other top-level class of the code's that has one (the job's other .java files
 * are not searched). Its stdout (captured by the harness) is the test's output.
 */
final class ProgramTarget implements Target {
    private final UserCode code;
    private final String mainClass;
    /** The job's command-line arguments, copied afresh for each test. */
    private final String[] args;

    private ProgramTarget(UserCode code, String mainClass, String[] args) {
        this.code = code;
        this.mainClass = mainClass;
        this.args = args;
    }

    static ProgramTarget find(UserCode code, String[] args) throws LoadFailure {
        List<String> names = new ArrayList<>(List.of("Main", "Solution"));
        names.addAll(code.topLevelClassNames());
        ClassLoader loader = code.newLoader();
        for (String name : names) {
            if (code.codeDeclares(name) && mainOf(loader, name) != null) {
                return new ProgramTarget(code, name, args);
            }
        }
        throw new LoadFailure("no class of the code declares public static void main(String[] args)");
    }

    private static Method mainOf(ClassLoader loader, String className) {
        try {
            // Not initialized: find runs before the loaded reply, and no code of the user's may.
            Method main = Class.forName(className, false, loader).getDeclaredMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                return null;
            }
            main.setAccessible(true);
            return main;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    @Override
    public void run(JsonElement input, Event event) {
        event.putMilliseconds("time_ms", 0);
        String stdin = input.isJsonPrimitive() ? input.getAsString() : input.toString();
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        // Classes loaded afresh: static state (a static Scanner on System.in, say) starts anew
        // in every test, as in a new JVM.
        Method main = mainOf(code.newLoader(), mainClass);
        String[] arguments = args.clone(); // the code may change its array
        long started = System.nanoTime();
        try {
            main.invoke(null, (Object) arguments);
            event.put("exit_code", 0);
        } catch (InvocationTargetException thrown) {
            Throwable cause = thrown.getCause();
            if (cause instanceof ExitTrap.ExitRequest exit) {
                // System.exit's status is the process's, as the JVM would exit with it.
                event.put("exit_code", exit.status);
                if (exit.status != 0) {
                    event.put("error", "the program exited with code " + exit.status);
                }
            } else {
                // An exception out of main ends the java launcher with status 1.
                event.put("exit_code", 1);
                if (Limits.isOutOfMemory(cause)) {
                    event.put("limit", "memory");
                }
                event.put("error", code.describe(cause));
            }
        } catch (IllegalAccessException e) {
            event.put("error", "cannot call " + mainClass + ".main: " + e);
        } finally {
            event.putMilliseconds("time_ms", System.nanoTime() - started);
        }
    }
}
