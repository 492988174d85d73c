package harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
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
 * The Java sandbox harness, the image's CMD under the supervisor: the job, then one test at a
 * time, each a line on descriptor 0; one reply per line, on the path the line names. The
 * protocol is harness/PROTOCOL.md. The user's code runs in this JVM; what it prints goes to
 * per-test captures. The reply paths are only ever held in local variables of the main
 * thread, out of reach of the fields user code can find by reflection.
 */
public final class Harness {
    private static final Gson EVENTS = new GsonBuilder().disableHtmlEscaping().create();

    private Harness() {}

    public static void main(String[] args) {
        // Taken now, as with the heap full the first call could fail (see Limits).
        Runtime runtime = Runtime.getRuntime();
        Limits.installUncaughtHandler();
        // Taken before anything replaces them: the control pipe, and the harness's own stderr.
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream harnessErrors = System.err;
        int status = 0;
        try {
            String line = control.readLine();
            if (line == null) {
                throw new IOException("no job on descriptor 0");
            }
            run(JsonParser.parseString(line).getAsJsonObject(), control, harnessErrors);
        } catch (Throwable failure) {
            // A malformed job, a reply path that cannot be written, the harness's own bug, or no
            // memory left.
            status = 1;
            Limits.harnessFailed(harnessErrors, failure);
        } finally {
            // Halt rather than exit: threads the user's code left running must not hold the JVM.
            runtime.halt(status);
        }
    }

    /**
     * Loads the job's code and replies loaded or load_failed; then runs each test line that
     * {@code control} reads, until its end, and replies to each.
     */
    private static void run(JsonObject job, BufferedReader control, PrintStream harnessErrors)
            throws IOException {
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

        // Before any user code runs, while the sandbox has threads to give.
        TestThread testThread = new TestThread();

        long started = System.nanoTime();
        Target target;
        try {
            target = load(job, programMode ? null : name.getAsString(), valueLimit);
        } catch (LoadFailure failure) {
            JsonObject event = event("load_failed");
            event.addProperty("message", Limits.cut(failure.getMessage(), Limits.MESSAGE_LIMIT_BYTES));
            reply(job, event);
            return;
        }
        JsonObject loaded = event("loaded");
        loaded.addProperty("compile_time_ms", (System.nanoTime() - started) / 1e6);
        reply(job, loaded);

        ExitTrap exitTrap = ExitTrap.install();
        try {
            String line;
            while ((line = control.readLine()) != null) {
                JsonObject test = testLine(line);
                if (test == null) {
                    // Not the supervisor's: the user's code can write to the control pipe too, by
                    // opening /proc/self/fd/0 where it may. The test whose line it spoiled runs
                    // into its time limit; the harness serves on.
                    harnessErrors.println("harness: skipped a test line that does not read: "
                            + Limits.cut(line, 200));
                    continue;
                }
                JsonObject event = event("test");
                event.add("index", test.get("index"));
                // Again for each test: code may replace them (with a buffered System.out, say).
                System.setOut(capturedOut);
                System.setErr(capturedErr);
                int escapedBefore = Limits.escapedOutOfMemoryErrors();
                runTest(testThread, target, test.get("input"), event);
                event.addProperty("memory_kb", Limits.peakMemoryKb());
                if (!event.has("limit") && Limits.escapedOutOfMemoryErrors() != escapedBefore) {
                    // A thread of the test's own ran out of memory, and no one caught it.
                    event.addProperty("limit", "memory");
                }
                if (event.has("error")) { // an exception's message can be as long as the code made it
                    event.addProperty("error", Limits.cut(event.get("error").getAsString(), limit));
                }
                OutputCapture.Taken out = stdout.take();
                OutputCapture.Taken err = stderr.take();
                // A program's stdout is its output.
                event.addProperty(programMode ? "output" : "stdout", out.text());
                if (programMode) {
                    event.addProperty("stdout", "");
                }
                event.addProperty("stdout_bytes", out.written());
                event.addProperty("stderr", err.text());
                event.addProperty("stderr_bytes", err.written());
                reply(test, event);
            }
        } finally {
            exitTrap.release();
        }
    }

    private static int limit(JsonObject job, String name, int otherwise) {
        JsonElement limit = job.get(name);
        return limit == null || limit.isJsonNull() ? otherwise : limit.getAsInt();
    }

    private static Target load(JsonObject job, String functionName, int valueLimit) throws LoadFailure {
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
        return FunctionTarget.find(code, functionName, valueLimit);
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

    /** The test line {@code line} is: a JSON object with a string "reply"; null when it is not. */
    private static JsonObject testLine(String line) {
        try {
            JsonElement parsed = JsonParser.parseString(line);
            if (parsed.isJsonObject()) {
                JsonElement reply = parsed.getAsJsonObject().get("reply");
                if (reply != null && reply.isJsonPrimitive() && reply.getAsJsonPrimitive().isString()) {
                    return parsed.getAsJsonObject();
                }
            }
        } catch (JsonParseException unreadable) { // not JSON: not a test line either
        }
        return null;
    }

    private static JsonObject event(String kind) {
        JsonObject event = new JsonObject();
        event.addProperty("event", kind);
        return event;
    }

    /**
     * Writes {@code event} as one line (Gson escapes newlines) to the path in {@code line}'s
     * "reply": a FIFO the supervisor holds open for reading, so opening it does not block.
     */
    private static void reply(JsonObject line, JsonObject event) {
        try (OutputStream reply = new FileOutputStream(line.get("reply").getAsString())) {
            reply.write((EVENTS.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException dropped) {
            // The code wrote to the path first: the supervisor took that as this test's reply
            // and closed it. Ours is dropped, and the next test still runs.
        }
    }
}
