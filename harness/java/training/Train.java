import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Build-time training for the AppCDS archive: runs the harness on typical jobs (a function that
 * returns its build, the same loaded from that build with many tests, a program with arguments
 * and files, a compile error) with -XX:DumpLoadedClassList and writes the union of the classes they loaded, javac's
 * above all, for -Xshare:dump to archive. It plays the supervisor's part
 * of harness/PROTOCOL.md at once: the job and every test line on the harness's stdin, each
 * naming a reply file of its own, which must hold one reply when the harness is done.
 *
 * <p>usage: java -cp gson.jar Train.java TRAINING_DIR JVM_OPTIONS_FILE CLASS_LIST
 */
public class Train {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String options = "@" + args[1];
        Path classList = Path.of(args[2]);
        // Many cheap tests, so that the path every test takes is archived too: reflection's
        // accessors, which it generates after 15 calls, among the rest.
        JsonArray many = new JsonArray();
        for (int i = 0; i < 60; i++) {
            many.add(JsonParser.parseString("[" + i + "," + (i + 1) + "]"));
        }
        List<Job> jobs = List.of(
                new Job(dir.resolve("Function.java"), "train", Build.RETURN,
                        "[[[3,1,2],[[1,2],[3,4]],[\"b\",\"a\",\"b\"],{\"a\":1},[1,2,3],[4,2,7,1,3,6,9],"
                                + "9007199254740993,2.5,\"q\",\"12 34\\nline two\"],"
                                + "[[],[],[],{},[],[],0,0,\"a\",\"\"],"
                                + "[[\"x\"],[],[],{},[],[],0,0,\"a\",\"\"]]"),
                // Loaded from the build the job before returned, as the worker sends it again.
                new Job(dir.resolve("Function.java"), "add", Build.GIVEN, many.toString()),
                // With arguments and files: a helper class compiled with it, and a data file.
                new Job(dir.resolve("Program.java"), null, Build.NONE,
                        "[\"3\\n1 2 3\\nsum total\\n\", \"1\\n-5\\nnegative\\n\"]",
                        List.of("--twice", "data.txt"), List.of(dir.resolve("Helper.java"), dir.resolve("data.txt"))),
                // Fails to load: the harness replies load_failed and reads no test.
                new Job(dir.resolve("CompileError.java"), "broken", Build.NONE, "[]"));
        Set<String> classes = new LinkedHashSet<>();
        String build = null;
        for (int i = 0; i < jobs.size(); i++) {
            Path list = Files.createTempFile("training", ".classlist");
            Path replies = Files.createTempDirectory("training-replies");
            // The harness's working directory, where it writes the job's files, as /tmp is in the sandbox.
            Path work = Files.createTempDirectory("training-work");
            List<String> lines = jobs.get(i).lines(replies, build);
            Process harness = new ProcessBuilder("java", options, "-Xshare:off",
                    "-XX:DumpLoadedClassList=" + list, "harness.Harness")
                    .directory(work.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (OutputStream stdin = harness.getOutputStream()) {
                stdin.write(String.join("", lines).getBytes(StandardCharsets.UTF_8));
            }
            if (harness.waitFor() != 0) {
                throw new IllegalStateException("training job " + i + " failed");
            }
            try (Stream<Path> files = Files.list(replies)) {
                for (Path reply : files.collect(Collectors.toList())) {
                    List<String> replyLines = Files.readAllLines(reply);
                    if (replyLines.size() != 1) {
                        throw new IllegalStateException("training job " + i + ": no single reply in " + reply);
                    }
                    JsonObject event = JsonParser.parseString(replyLines.get(0)).getAsJsonObject();
                    if (event.has("build")) {
                        build = event.get("build").getAsString();
                    }
                    if (jobs.get(i).build == Build.GIVEN && event.get("event").getAsString().equals("load_failed")) {
                        throw new IllegalStateException("training job " + i + ": its build did not load: " + event);
                    }
                    Files.delete(reply);
                }
            }
            Files.delete(replies);
            try (Stream<Path> files = Files.list(work)) {
                for (Path file : files.collect(Collectors.toList())) {
                    Files.delete(file);
                }
            }
            Files.delete(work);
            for (String line : Files.readAllLines(list)) {
                // The submissions' own lambdas cannot be archived: their classes are not on the class path.
                if (!line.startsWith("@lambda-proxy Solution ") && !line.startsWith("@lambda-proxy Main ")) {
                    classes.add(line);
                }
            }
            Files.delete(list);
        }
        Files.write(classList, classes);
    }

    /** What a training job does with builds: none, asks for one, or loads the last one returned. */
    private enum Build { NONE, RETURN, GIVEN }

    /**
     * A training job: its code, the function to call (null: a program), what it does with
     * builds and its tests' inputs.
     */
    private record Job(Path code, String functionName, Build build, String inputs, List<String> args,
            List<Path> files) {
        Job(Path code, String functionName, Build build, String inputs) {
            this(code, functionName, build, inputs, List.of(), List.of());
        }

        /**
         * The harness's stdin, line by line: the job, then one line per test (none after a
         * load failure), each naming its reply file in {@code replies}, which it creates.
         */
        List<String> lines(Path replies, String lastBuild) throws Exception {
            JsonObject job = new JsonObject();
            job.addProperty("code", Files.readString(code));
            job.addProperty("function_name", functionName);
            job.add("imports", JsonParser.parseString("[\"java.util.concurrent.*\"]"));
            job.addProperty("output_limit_bytes", 8192);
            job.addProperty("value_limit_bytes", 32768);
            if (build == Build.GIVEN && lastBuild == null) {
                throw new IllegalStateException("no job before returned a build");
            }
            job.addProperty("build", build == Build.GIVEN ? lastBuild : null);
            job.addProperty("return_build", build == Build.RETURN);
            JsonArray arguments = new JsonArray();
            args.forEach(arguments::add);
            job.add("args", arguments);
            JsonArray written = new JsonArray();
            for (Path file : files) {
                JsonObject entry = new JsonObject();
                entry.addProperty("name", file.getFileName().toString());
                entry.addProperty("content", Files.readString(file));
                written.add(entry);
            }
            job.add("files", written);
            job.addProperty("reply", reply(replies, 0));
            List<String> lines = new ArrayList<>(List.of(job + "\n"));
            JsonArray tests = JsonParser.parseString(inputs).getAsJsonArray();
            for (int index = 0; index < tests.size(); index++) {
                JsonObject test = new JsonObject();
                test.addProperty("index", index);
                test.add("input", tests.get(index));
                test.addProperty("reply", reply(replies, index + 1));
                lines.add(test + "\n");
            }
            return lines;
        }

        private static String reply(Path replies, int number) throws Exception {
            return Files.createFile(replies.resolve(String.format("%03d", number))).toString();
        }
    }
}
