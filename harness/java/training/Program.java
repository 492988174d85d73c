import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        int count = Integer.parseInt(reader.readLine().trim());
        StringTokenizer tokens = new StringTokenizer(reader.readLine());
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += Long.parseLong(tokens.nextToken());
        }
        Scanner scanner = new Scanner(reader);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        while (scanner.hasNext()) {
            out.printf("%s %d%n", scanner.next(), sum);
        }
        out.flush();
        if (sum < 0) {
            System.exit(3);
        }
    }
}
