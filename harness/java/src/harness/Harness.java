package harness;

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
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Java sandbox harness, the image's CMD under the supervisor: the job, then one test at a
 * time, each a line on descriptor 0; one reply per line, on the path the line names. The
 * protocol is harness/PROTOCOL.md. The user's code runs in this JVM; what it prints goes to
 * per-test captures. The reply paths are only ever held in local variables of the main
 * thread, out of reach of the fields user code can find by reflection.
 */
public final class Harness {
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
        UserCode code;
        Target target;
        try {
            List<Map.Entry<String, String>> sources = writeFiles(job);
            code = code(job, programMode ? "Main.java" : "Solution.java", sources);
            target = programMode ? ProgramTarget.find(code, args(job))
                    : FunctionTarget.find(code, name.getAsString(), valueLimit);
        } catch (LoadFailure failure) {
            Event event = new Event("load_failed");
            event.put("message", Limits.cut(failure.getMessage(), Limits.MESSAGE_LIMIT_BYTES));
            reply(job, event);
            return;
        }
        Event loaded = new Event("loaded");
        loaded.putMilliseconds("compile_time_ms", System.nanoTime() - started);
        JsonElement returnBuild = job.get("return_build");
        if (returnBuild != null && returnBuild.isJsonPrimitive() && returnBuild.getAsBoolean()) {
            // javac's output alone: finding the target defined the user's classes without
            // initializing them and created nothing, so no code of the user's has run yet.
            loaded.put("build", code.build());
        }
        reply(job, loaded);

        ExitTrap exitTrap = ExitTrap.install();
        Limits.readMemory();
        long residentKb = Limits.residentKb(); // each test's growth is measured from the test before
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
                Event event = new Event("test");
                event.put("index", test.get("index"));
                // Again for each test: code may replace them (with a buffered System.out, say).
                if (System.out != capturedOut) {
                    System.setOut(capturedOut);
                }
                if (System.err != capturedErr) {
                    System.setErr(capturedErr);
                }
                int escapedBefore = Limits.escapedOutOfMemoryErrors();
                runTest(testThread, target, test.get("input"), event);
                Limits.readMemory();
                event.put("memory_kb", Limits.peakMemoryKb());
                if (Limits.residentKb() - residentKb > TestThread.RENEWAL_GROWTH_KB) {
                    testThread.renew(); // after the figure, which the new thread's start must not raise
                }
                residentKb = Limits.residentKb();
                if (!event.has("limit") && Limits.escapedOutOfMemoryErrors() != escapedBefore) {
                    // A thread of the test's own ran out of memory, and no one caught it.
                    event.put("limit", "memory");
                }
                if (event.has("error")) { // an exception's message can be as long as the code made it
                    event.put("error", Limits.cut(event.text("error"), limit));
                }
                OutputCapture.Taken out = stdout.take();
                OutputCapture.Taken err = stderr.take();
                // A program's stdout is its output.
                event.put(programMode ? "output" : "stdout", out.text());
                if (programMode) {
                    event.put("stdout", "");
                }
                event.put("stdout_bytes", out.written());
                event.put("stderr", err.text());
                event.put("stderr_bytes", err.written());
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

    /** A program's command-line arguments (the job's "args"). */
    private static String[] args(JsonObject job) {
        JsonElement args = job.get("args");
        if (args == null || !args.isJsonArray()) {
            return new String[0];
        }
        String[] values = new String[args.getAsJsonArray().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = args.getAsJsonArray().get(i).getAsString();
        }
        return values;
    }

    /**
     * Writes the job's files into the working directory (/tmp), each under its name, before
     * anything compiles or a build loads: a program reads its data files at run time. Returns
     * the .java files, name and text, to compile with the code. The harness itself writes
     * nothing there (javac compiles in memory), so no name is its own.
     */
    private static List<Map.Entry<String, String>> writeFiles(JsonObject job) throws LoadFailure {
        List<Map.Entry<String, String>> sources = new ArrayList<>();
        JsonElement files = job.get("files");
        if (files == null || !files.isJsonArray()) {
            return sources;
        }
        Path directory = Path.of("").toAbsolutePath();
        for (JsonElement entry : files.getAsJsonArray()) {
            JsonObject file = entry.getAsJsonObject();
            String fileName = file.get("name").getAsString();
            String content = file.get("content").getAsString();
            // The worker refuses such names already: this is the harness's own guard.
            if (fileName.isEmpty() || fileName.equals(".") || fileName.equals("..") || fileName.indexOf('/') >= 0
                    || fileName.indexOf('\0') >= 0) {
                throw new LoadFailure("file name '" + fileName + "' is not a plain file name");
            }
            try {
                // A new file (not a name given twice), never written through a link.
                Files.writeString(directory.resolve(fileName), content, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | InvalidPathException failure) {
                throw new LoadFailure("file '" + fileName + "' cannot be written: " + failure);
            }
            if (fileName.endsWith(".java")) {
                sources.add(Map.entry(fileName, content));
            }
        }
        return sources;
    }

    /**
     * The job's classes: from its build when it has one that loads, without loading javac;
     * else compiled from its code as the file {@code fileName}, with the job's other .java
     * files.
     */
    private static UserCode code(JsonObject job, String fileName, List<Map.Entry<String, String>> sources)
            throws LoadFailure {
        JsonElement build = job.get("build");
        if (build != null && build.isJsonPrimitive() && !build.getAsString().isEmpty()) {
            try {
                return UserCode.fromBuild(build.getAsString());
            } catch (LoadFailure notOurs) {
                // Not a build of this harness's (PROTOCOL.md, "Builds"): the code it came with
                // compiles as if none had come.
            }
        }
        List<String> imports = new ArrayList<>();
        JsonElement listed = job.get("imports");
        if (listed != null && listed.isJsonArray()) {
            listed.getAsJsonArray().forEach(entry -> imports.add(entry.getAsString()));
        }
        SourceCompiler.Compiled compiled = SourceCompiler.compile(job.get("code").getAsString(), imports, fileName,
                sources);
        return new UserCode(compiled.classes(), compiled.codeClasses());
    }

    /** Runs one test on the test thread, and waits for it. */
    private static void runTest(TestThread testThread, Target target, JsonElement input, Event event) {
        Runnable test = () -> {
            try {
                target.run(input, event);
            } catch (Throwable unexpected) { // the harness's own failure, out of memory say
                if (Limits.isOutOfMemory(unexpected)) {
                    event.put("limit", "memory");
                }
                event.put("error", "the harness failed to run the test: " + unexpected);
            }
        };
        try {
            if (!testThread.run(test)) {
                event.put("error", "the test's thread was stopped before the test ended");
            }
        } catch (OutOfMemoryError e) { // the test thread was stopped, and no thread is left to replace it
            event.put("error", "the test could not be started: " + e);
        }
        if (!event.has("time_ms")) {
            event.putMilliseconds("time_ms", 0);
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

    /**
     * Writes {@code event} as one line to the path in {@code line}'s "reply": a FIFO the
     * supervisor holds open for reading, so opening it does not block.
     */
    private static void reply(JsonObject line, Event event) {
        byte[] text = event.line();
        try (OutputStream reply = new FileOutputStream(line.get("reply").getAsString())) {
            reply.write(text);
        } catch (IOException dropped) {
            // The code wrote to the path first: the supervisor took that as this test's reply
            // and closed it. Ours is dropped, and the next test still runs.
        }
    }
}
