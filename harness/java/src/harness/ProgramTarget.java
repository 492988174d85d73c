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
 * A whole program: the static main(String[]) of Main, of Solution, or of the first other
 * top-level class that has one. Its stdout (captured by the harness) is the test's output.
 */
final class ProgramTarget implements Target {
    private final UserCode code;
    private final String mainClass;

    private ProgramTarget(UserCode code, String mainClass) {
        this.code = code;
        this.mainClass = mainClass;
    }

    static ProgramTarget find(UserCode code) throws LoadFailure {
        List<String> names = new ArrayList<>(List.of("Main", "Solution"));
        names.addAll(code.topLevelClassNames());
        ClassLoader loader = code.newLoader();
        for (String name : names) {
            if (code.declares(name) && mainOf(loader, name) != null) {
                return new ProgramTarget(code, name);
            }
        }
        throw new LoadFailure("no class declares public static void main(String[] args)");
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
        long started = System.nanoTime();
        try {
            main.invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException thrown) {
            Throwable cause = thrown.getCause();
            if (cause instanceof ExitTrap.ExitRequest) {
                int status = ((ExitTrap.ExitRequest) cause).status;
                if (status != 0) {
                    event.put("error", "the program exited with code " + status);
                }
            } else {
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
