package harness;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the submission in this process with javac's API, from memory into memory: no javac
 * process to start and nothing written to /tmp.
 */
final class SourceCompiler {
    /** Imports every submission gets, so LeetCode code compiles as written. */
    private static final List<String> DEFAULT_IMPORTS =
            List.of("java.util.*", "java.util.function.*", "java.util.stream.*", "java.math.*");

    /** The predefined ListNode and TreeNode, compiled at image build time. */
    private static final String LEETCODE_CLASSPATH = "/opt/harness/leetcode.jar";

    private static final List<String> OPTIONS = List.of(
            "-classpath", LEETCODE_CLASSPATH,
            "-proc:none", // no annotation processors to look for
            "-parameters", // parameter names for argument errors
            "-g", // line numbers in stack traces, variable names in NullPointerException messages
            "-nowarn", "-Xlint:none",
            // StringBuilder code instead of invokedynamic: the first + of a string then
            // costs nothing, where StringConcatFactory's bootstrap costs tens of ms.
            "-XDstringConcat=inline");

    /** A package declaration, at the start of a line (comments may come before it). */
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+[\\w.\\s]+;");

    private SourceCompiler() {}

    /** What javac made: every class's bytecode by binary name, and which of them the code declares. */
    record Compiled(Map<String, byte[]> classes, Set<String> codeClasses) {}

    /**
     * Compiles {@code code} as the file {@code fileName}, together with {@code sources} (the
     * job's other .java files: name, then text), each with the same imports; returns the
     * bytecode of every class they declare, by binary name, and which are the code's own.
     */
    static Compiled compile(String code, List<String> imports, String fileName,
            List<Map.Entry<String, String>> sources) throws LoadFailure {
        // The imports go on each file's first line, so javac's line numbers are the user's own.
        String header = importHeader(imports);
        SourceFile main = new SourceFile(fileName, code, header);
        List<SourceFile> units = new ArrayList<>(List.of(main));
        for (Map.Entry<String, String> source : sources) {
            units.add(new SourceFile(source.getKey(), source.getValue(), header));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ENGLISH, StandardCharsets.UTF_8);
        MemoryFileManager files = new MemoryFileManager(standard, main);
        StringWriter javacOutput = new StringWriter();
        boolean compiled;
        try {
            compiled = javac.getTask(javacOutput, files, diagnostics, OPTIONS, null, units).call();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError crash) { // javac's own failure on odd code
            throw new LoadFailure("javac failed: " + crash);
        }
        if (!compiled) {
            String report = report(diagnostics.getDiagnostics());
            throw new LoadFailure(report.isEmpty() ? javacOutput.toString().strip() : report);
        }
        return new Compiled(files.classes, files.codeClasses);
    }

    private static String importHeader(List<String> imports) {
        StringBuilder header = new StringBuilder();
        List<String> all = new ArrayList<>(DEFAULT_IMPORTS);
        all.addAll(imports);
        for (String entry : all) {
            // A whole statement ("import java.util.*;") or a name ("java.util.*"); one line.
            String statement = entry.strip().replaceAll("\\s+", " ").replaceAll(";+$", "");
            if (!statement.startsWith("import ")) {
                statement = "import " + statement;
            }
            header.append(statement).append("; ");
        }
        return header.toString();
    }

    /**
     * The code without a package declaration, blanked to keep every position: its classes
     * must be in the unnamed package, beside the predefined ListNode and TreeNode.
     */
    private static String withoutPackage(String code) {
        Matcher declaration = PACKAGE.matcher(code);
        if (!declaration.find()) {
            return code;
        }
        String blank = declaration.group().replaceAll("[^\\n]", " ");
        return code.substring(0, declaration.start()) + blank + code.substring(declaration.end());
    }

    /**
     * The errors as javac prints them, placed in the user's files: javac's positions count the
     * import header, which shares each file's first line.
     */
    private static String report(List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        StringBuilder report = new StringBuilder();
        int errors = 0;
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics) {
            if (diagnostic.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            errors++;
            String message = diagnostic.getMessage(Locale.ENGLISH);
            long position = diagnostic.getPosition();
            if (position == Diagnostic.NOPOS || !(diagnostic.getSource() instanceof SourceFile file)) {
                report.append("error: ").append(message).append('\n');
            } else if (position < file.headerLength) {
                report.append("imports: error: ").append(message).append('\n');
            } else {
                String code = file.code;
                String fileName = file.fileName;
                int offset = (int) Math.min(position - file.headerLength, code.length());
                int lineStart = code.lastIndexOf('\n', offset - 1) + 1;
                int lineEnd = code.indexOf('\n', offset);
                String text = code.substring(lineStart, lineEnd < 0 ? code.length() : lineEnd).stripTrailing();
                long line = code.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
                // Tabs stay tabs so that the caret lines up however they are shown.
                String indent = code.substring(lineStart, offset).replaceAll("[^\\t]", " ");
                // As javac prints it: the message's first line, the code and a caret, its other lines.
                int firstLineEnd = message.indexOf('\n');
                String details = firstLineEnd < 0 ? "" : message.substring(firstLineEnd + 1) + "\n";
                report.append(fileName).append(':').append(line).append(": error: ")
                        .append(firstLineEnd < 0 ? message : message.substring(0, firstLineEnd)).append('\n')
                        .append(text).append('\n').append(indent).append("^\n").append(details);
            }
        }
        if (errors > 0) {
            report.append(errors).append(errors == 1 ? " error" : " errors");
        }
        return report.toString();
    }

    /**
     * A file of the submission's, its code without a package declaration after the import
     * header; any public class name is accepted for it.
     */
    private static final class SourceFile extends SimpleJavaFileObject {
        private final String source;
        final String fileName;
        final String code;
        final int headerLength;

        /** Each file is a URI of its own (memory:///1/Helper.java), even where two share a name. */
        private static int count;

        SourceFile(String fileName, String code, String header) {
            super(URI.create("memory:///" + count++ + "/" + URLEncoder.encode(fileName, StandardCharsets.UTF_8)),
                    Kind.SOURCE);
            this.fileName = fileName;
            this.code = code;
            this.headerLength = header.length();
            this.source = header + withoutPackage(code);
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
        }

        @Override
        public boolean isNameCompatible(String simpleName, Kind kind) {
            return kind == Kind.SOURCE; // "public class Main" need not be in Main.java
        }
    }

    /** Keeps each class file javac writes in memory, noting those of the code's own file. */
    private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        final Map<String, byte[]> classes = new LinkedHashMap<>();
        final Set<String> codeClasses = new HashSet<>();
        private final SourceFile code;

        MemoryFileManager(StandardJavaFileManager standard, SourceFile code) {
            super(standard);
            this.code = code;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                FileObject sibling) {
            if (sibling == code) { // the source file the class comes from
                codeClasses.add(className);
            }
            URI uri = URI.create("memory:///" + className.replace('.', '/') + kind.extension);
            return new SimpleJavaFileObject(uri, kind) {
                @Override
                public OutputStream openOutputStream() {
                    return new ByteArrayOutputStream() {
                        @Override
                        public void close() {
                            classes.put(className, toByteArray());
                        }
                    };
                }
            };
        }
    }
}
