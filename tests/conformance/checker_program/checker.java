import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A testlib-style checker: reads the test's input, the expected output and the actual output,
 * each as a line holding its length in bytes and then exactly that many bytes and a newline;
 * answers by its exit code (0 ok, 1 wrong answer, 2 presentation error, 7 points).
 */
public class Main {
    public static void main(String[] args) throws IOException {
        InputStream in = new BufferedInputStream(System.in);
        String input = readText(in);
        String expected = readText(in).strip();
        String actual = readText(in);
        List<Long> given = integers(input);
        List<Long> answer = integers(actual);
        List<Long> sortedGiven = given == null ? null : sorted(given);
        if (answer == null || !sorted(answer).equals(sortedGiven)) {
            System.out.println("wrong numbers");
            System.exit(2);
        }
        Comparator<Long> order = expected.equals("descending") ? Comparator.reverseOrder() : Comparator.naturalOrder();
        for (int i = 1; i < answer.size(); i++) {
            if (order.compare(answer.get(i - 1), answer.get(i)) > 0) {
                System.out.println("not sorted");
                System.exit(1);
            }
        }
        if (expected.equals("partial")) {
            System.out.println("0.5");
            System.out.println("partial");
            System.exit(7);
        }
        System.out.println("ok");
    }

    private static String readText(InputStream in) throws IOException {
        StringBuilder length = new StringBuilder();
        for (int c = in.read(); c != '\n' && c != -1; c = in.read()) {
            length.append((char) c);
        }
        byte[] bytes = in.readNBytes(Integer.parseInt(length.toString().trim()));
        in.read(); // the newline after the text
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The text's whitespace-separated tokens as integers; null when one is not an integer. */
    private static List<Long> integers(String text) {
        List<Long> values = new ArrayList<>();
        for (String token : text.strip().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            try {
                values.add(Long.parseLong(token));
            } catch (NumberFormatException notInteger) {
                return null;
            }
        }
        return values;
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }
}
