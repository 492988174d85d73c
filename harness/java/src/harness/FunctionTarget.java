package harness;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A method of class Solution, called on a new Solution() per test as LeetCode does, or a
 * static method of any top-level class.
 */
final class FunctionTarget implements Target {
    private final UserCode code;
    /** The methods of that name; a test calls the first that takes as many arguments as it gives. */
    private final List<Method> overloads;
    /** Solution's no-argument constructor; null when every overload is static. */
    private final Constructor<?> constructor;
    /** The longest returned value's JSON text, in bytes of UTF-8. */
    private final int valueLimit;

    private FunctionTarget(UserCode code, List<Method> overloads, Constructor<?> constructor, int valueLimit) {
        this.code = code;
        this.overloads = overloads;
        this.constructor = constructor;
        this.valueLimit = valueLimit;
    }

    /** Finds the methods named {@code name}: of Solution (and its superclasses), or else static ones. */
    static FunctionTarget find(UserCode code, String name, int valueLimit) throws LoadFailure {
        ClassLoader loader = code.newLoader();
        Class<?> solution = code.declares("Solution") ? load(loader, "Solution") : null;
        List<Method> candidates = new ArrayList<>();
        for (Class<?> type = solution; type != null && type != Object.class; type = type.getSuperclass()) {
            candidates.addAll(named(type, name, false));
        }
        if (candidates.isEmpty()) {
            for (String className : code.topLevelClassNames()) {
                candidates.addAll(named(load(loader, className), name, true));
            }
        }
        if (candidates.isEmpty()) {
            throw new LoadFailure("method '" + name + "' is not defined: write it as a method of class Solution"
                    + " or as a static method of a top-level class");
        }
        candidates.forEach(method -> method.setAccessible(true));
        if (candidates.stream().allMatch(method -> Modifier.isStatic(method.getModifiers()))) {
            return new FunctionTarget(code, candidates, null, valueLimit);
        }
        try {
            Constructor<?> constructor = solution.getDeclaredConstructor();
            constructor.setAccessible(true);
            return new FunctionTarget(code, candidates, constructor, valueLimit);
        } catch (NoSuchMethodException e) {
            throw new LoadFailure("class Solution needs a constructor without parameters to call " + name);
        }
    }

    private static Class<?> load(ClassLoader loader, String className) throws LoadFailure {
        try {
            // Defined, not initialized: no static initializer of the user's runs before the first
            // test, and the loaded reply (with the build) goes out before it.
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LoadFailure("class " + className + " cannot be loaded: " + e);
        }
    }

    private static List<Method> named(Class<?> type, String name, boolean staticOnly) {
        List<Method> methods = new ArrayList<>();
        for (Method method : type.getDeclaredMethods()) {
            if (method.getName().equals(name) && !method.isSynthetic() && !method.isBridge()
                    && (!staticOnly || Modifier.isStatic(method.getModifiers()))) {
                methods.add(method);
            }
        }
        return methods;
    }

    @Override
    public void run(JsonElement input, Event event) {
        event.putMilliseconds("time_ms", 0);
        List<JsonElement> given = input.isJsonArray() ? input.getAsJsonArray().asList() : List.of(input);
        Method method = overloads.get(0);
        for (Method overload : overloads) {
            if (overload.getParameterCount() == given.size()) {
                method = overload;
                break;
            }
        }
        Object result;
        try {
            Object[] arguments = arguments(method, given);
            Object solution = Modifier.isStatic(method.getModifiers()) ? null : constructor.newInstance();
            long started = System.nanoTime();
            try {
                result = method.invoke(solution, arguments);
            } finally {
                event.putMilliseconds("time_ms", System.nanoTime() - started);
            }
        } catch (ArgumentError mismatch) {
            event.put("error", mismatch.getMessage());
            return;
        } catch (InvocationTargetException thrown) { // by the method, or by Solution's constructor
            Throwable cause = thrown.getCause();
            if (Limits.isOutOfMemory(cause)) {
                event.put("limit", "memory");
            }
            event.put("error", describe(cause));
            return;
        } catch (ReflectiveOperationException e) {
            event.put("error", "cannot call " + method.getName() + ": " + e);
            return;
        }
        try {
            event.put("value", JsonCodec.render(result, method.getGenericReturnType(), valueLimit));
        } catch (JsonCodec.ValueTooLong tooLong) {
            event.put("value_bytes", tooLong.bytes);
        } catch (JsonParseException e) { // Gson's, and the harness's own: a cycle, say
            event.put("error", "the return value cannot be rendered as JSON: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            if (Limits.isOutOfMemory(e)) {
                event.put("limit", "memory");
            }
            event.put("error", "the return value cannot be rendered as JSON: " + e);
        }
    }

    private String describe(Throwable thrown) {
        if (thrown instanceof ExitTrap.ExitRequest) {
            return "System.exit(" + ((ExitTrap.ExitRequest) thrown).status + ") was called";
        }
        return code.describe(thrown);
    }

    /** The test's input as the method's arguments; a mismatch names the argument. */
    private static Object[] arguments(Method method, List<JsonElement> given) throws ArgumentError {
        Type[] types = method.getGenericParameterTypes();
        if (given.size() != types.length) {
            List<String> declared = new ArrayList<>();
            for (Parameter parameter : method.getParameters()) {
                declared.add(declaration(parameter));
            }
            throw new ArgumentError("expected " + types.length + " argument"
                    + (types.length == 1 ? "" : "s") + " (" + String.join(", ", declared) + "), got "
                    + given.size());
        }
        Object[] arguments = new Object[types.length];
        for (int i = 0; i < arguments.length; i++) {
            try {
                arguments[i] = JsonCodec.argument(given.get(i), types[i]);
            } catch (JsonCodec.InputMismatch mismatch) {
                String where = mismatch.where().isEmpty() ? "" : " at " + mismatch.where();
                throw new ArgumentError(argument(method, i) + where + ": " + mismatch.getMessage());
            } catch (RuntimeException failure) {
                // Gson's own conversion of other types, such as the user's classes.
                throw new ArgumentError(argument(method, i) + ": " + failure.getMessage());
            }
        }
        return arguments;
    }

    /** "argument 2 (int target)": named only for an error, as it takes regular expressions. */
    private static String argument(Method method, int index) {
        return "argument " + (index + 1) + " (" + declaration(method.getParameters()[index]) + ")";
    }

    /** A test's input that does not fit the method's parameters. */
    private static final class ArgumentError extends Exception {
        ArgumentError(String message) {
            super(message);
        }
    }

    /** A parameter as declared, without package names: "List<List<Integer>> grid". */
    private static String declaration(Parameter parameter) {
        String type = parameter.getParameterizedType().getTypeName()
                .replaceAll("\\b[a-z_][\\w]*\\.", "").replace('$', '.');
        return parameter.isNamePresent() ? type + " " + parameter.getName() : type;
    }
}
