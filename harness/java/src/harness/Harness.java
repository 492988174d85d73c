package harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java sandbox harness: one job in on stdin, events out on the original stdout. The
 * protocol is harness/PROTOCOL.md. The user's code runs in this JVM; what it prints goes to
 * per-test captures, never to the result channel.
 */
public final class Harness {
    private static final Gson EVENTS = new GsonBuilder().disableHtmlEscaping().create();

    private final OutputStream channel;
    private final String nonce;

    private Harness(OutputStream channel, String nonce) {
        this.channel = channel;
        this.nonce = nonce;
    }

    public static void main(String[] args) {
        // Taken now, as with the heap full the first call could fail (see Limits).
        Runtime runtime = Runtime.getRuntime();
        Limits.installUncaughtHandler();
        // Taken before anything can replace System.out: the only way to the worker.
        OutputStream channel = new FileOutputStream(FileDescriptor.out);
        PrintStream harnessErrors = System.err;
        int status = 0;
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("no job on stdin");
            }
            JsonObject job = JsonParser.parseString(line).getAsJsonObject();
            new Harness(channel, job.get("nonce").getAsString()).run(job);
        } catch (Throwable failure) { // a malformed job, the harness's own bug, or no memory left
            status = 1;
            Limits.harnessFailed(harnessErrors, failure);
        } finally {
            // Halt rather than exit: threads the user's code left running must not hold the JVM.
            runtime.halt(status);
        }
    }

    private void run(JsonObject job) throws IOException {
        int limit = limit(job, "output_limit_bytes", Limits.DEFAULT_OUTPUT_LIMIT_BYTES);
        int valueLimit = limit(job, "value_limit_bytes", Limits.DEFAULT_VALUE_LIMIT_BYTES);
        OutputCapture stdout = new OutputCapture(limit);
        OutputCapture stderr = new OutputCapture(limit);
        PrintStream capturedOut = stdout.printStream();
        PrintStream capturedErr = stderr.printStream();
        System.setOut(capturedOut);
        System.setErr(capturedErr);
        System.setIn(InputStream.nullInputStream());

        JsonElement name = job.get("function_name");
        boolean programMode = name == null || name.isJsonNull();
        JsonArray inputs = job.getAsJsonArray("inputs");

        // Before any user code runs, while the sandbox has threads to give.
        TestThread testThread = new TestThread();

        long started = System.nanoTime();
        Target target;
        try {
            target = load(job, programMode ? null : name.getAsString(), inputs, valueLimit);
        } catch (LoadFailure failure) {
            JsonObject event = event("load_failed");
            event.addProperty("message", Limits.capped(failure.getMessage(), Limits.MESSAGE_LIMIT_BYTES));
            emit(event);
            return;
        }
        JsonObject loaded = event("loaded");
        loaded.addProperty("compile_time_ms", (System.nanoTime() - started) / 1e6);
        emit(loaded);

        ExitTrap exitTrap = ExitTrap.install();
        try {
            for (int index = 0; index < inputs.size(); index++) {
                JsonObject event = event("test");
                event.addProperty("index", index);
                // Again for each test: code may replace them (with a buffered System.out, say).
                System.setOut(capturedOut);
                System.setErr(capturedErr);
                int escapedBefore = Limits.escapedOutOfMemoryErrors();
                runTest(testThread, target, inputs.get(index), event);
                event.addProperty("memory_kb", Limits.peakMemoryKb());
                if (!event.has("limit")) {
                    if (Limits.escapedOutOfMemoryErrors() != escapedBefore) {
                        // A thread of the test's own ran out of memory, and no one caught it.
                        event.addProperty("limit", "memory");
                    } else if (stdout.overflowed() || stderr.overflowed()) {
                        event.addProperty("limit", "output");
                    }
                }
                event.addProperty(programMode ? "output" : "stdout", stdout.take());
                event.addProperty("stderr", stderr.take());
                emit(event);
            }
            emit(event("done"));
        } finally {
            exitTrap.release();
        }
    }

    private static int limit(JsonObject job, String name, int otherwise) {
        JsonElement limit = job.get(name);
        return limit == null || limit.isJsonNull() ? otherwise : limit.getAsInt();
    }

    private static Target load(JsonObject job, String functionName, JsonArray inputs, int valueLimit)
            throws LoadFailure {
        List<String> imports = new ArrayList<>();
        JsonElement listed = job.get("imports");
        if (listed != null && listed.isJsonArray()) {
            listed.getAsJsonArray().forEach(entry -> imports.add(entry.getAsString()));
        }
        String fileName = functionName == null ? "Main.java" : "Solution.java";
        UserCode code = new UserCode(SourceCompiler.compile(job.get("code").getAsString(), imports, fileName));
        if (functionName == null) {
            return ProgramTarget.find(code);
        }
        int arity = -1;
        if (!inputs.isEmpty()) {
            JsonElement first = inputs.get(0);
            arity = first.isJsonArray() ? first.getAsJsonArray().size() : 1;
        }
        return FunctionTarget.find(code, functionName, arity, valueLimit);
    }

    /** Runs one test on the test thread, and waits for it. */
    private static void runTest(TestThread testThread, Target target, JsonElement input, JsonObject event) {
        Runnable test = () -> {
            try {
                target.run(input, event);
            } catch (Throwable unexpected) { // the harness's own failure, out of memory say
                if (Limits.isOutOfMemory(unexpected)) {
                    event.addProperty("limit", "memory");
                }
                event.addProperty("error", "the harness failed to run the test: " + unexpected);
            }
        };
        try {
            if (!testThread.run(test)) {
                event.addProperty("error", "the test's thread was stopped before the test ended");
            }
        } catch (OutOfMemoryError e) { // the test thread was stopped, and no thread is left to replace it
            event.addProperty("error", "the test could not be started: " + e);
        }
        if (!event.has("time_ms")) {
            event.addProperty("time_ms", 0.0);
        }
    }

    private static JsonObject event(String kind) {
        JsonObject event = new JsonObject();
        event.addProperty("event", kind);
        return event;
    }

    /** One line, written at once: the nonce, a space, the event. Gson escapes newlines. */
    private void emit(JsonObject event) throws IOException {
        channel.write((nonce + " " + EVENTS.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
