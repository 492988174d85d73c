import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Scanner;
import java.util.StringJoiner;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        List<Long> values = new ArrayList<>();
        while (in.hasNextLong()) {
            values.add(in.nextLong());
        }
        Collections.sort(values);
        StringJoiner line = new StringJoiner(" ");
        for (long value : values) {
            line.add(Long.toString(value));
        }
        System.out.println(line);
    }
}
