import java.util.*;

public class Main {
    public static void main(String[] args) {
        int n = new Scanner(System.in).nextInt();
        StringBuilder numbers = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            if (i > 1) numbers.append(' ');
            numbers.append(i);
        }
        System.out.println(numbers + "   ");
        for (String line : new String[] {"c", "b", "a"}) System.out.println(line);
        System.out.println(String.format(Locale.ROOT, "%.6f", 1.0 / 3));
    }
}
