import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Build-time training for the AppCDS archive: runs the harness on typical jobs (a function, a
 * program, a compile error) with -XX:DumpLoadedClassList and writes the union of the classes
 * they loaded, javac's above all, for -Xshare:dump to archive.
 *
 * <p>usage: java -cp gson.jar Train.java TRAINING_DIR JVM_OPTIONS_FILE CLASS_LIST
 */
public class Train {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String options = "@" + args[1];
        Path classList = Path.of(args[2]);
        List<JsonObject> jobs = List.of(
                job(dir.resolve("Function.java"), "train",
                        "[[[3,1,2],[[1,2],[3,4]],[\"b\",\"a\",\"b\"],{\"a\":1},[1,2,3],[4,2,7,1,3,6,9],"
                                + "9007199254740993,2.5,\"q\",\"12 34\\nline two\"],"
                                + "[[],[],[],{},[],[],0,0,\"a\",\"\"],"
                                + "[[\"x\"],[],[],{},[],[],0,0,\"a\",\"\"]]"),
                job(dir.resolve("Program.java"), null, "[\"3\\n1 2 3\\nsum total\\n\", \"1\\n-5\\nnegative\\n\"]"),
                job(dir.resolve("CompileError.java"), "broken", "[[[1]]]"));
        Set<String> classes = new LinkedHashSet<>();
        for (int i = 0; i < jobs.size(); i++) {
            Path list = Files.createTempFile("training", ".classlist");
            Process harness = new ProcessBuilder("java", options, "-Xshare:off",
                    "-XX:DumpLoadedClassList=" + list, "harness.Harness")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (OutputStream stdin = harness.getOutputStream()) {
                stdin.write((jobs.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (harness.waitFor() != 0) {
                throw new IllegalStateException("training job " + i + " failed");
            }
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

    private static JsonObject job(Path code, String functionName, String inputs) throws Exception {
        JsonObject job = new JsonObject();
        job.addProperty("nonce", "training");
        job.addProperty("code", Files.readString(code));
        job.addProperty("function_name", functionName);
        job.add("imports", JsonParser.parseString("[\"java.util.concurrent.*\"]"));
        job.add("inputs", JsonParser.parseString(inputs));
        job.addProperty("output_limit_bytes", 8192);
        job.addProperty("value_limit_bytes", 32768);
        return job;
    }
}
