import java.io.*;
import java.nio.file.*;
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
        if (args.length > 0 && args[0].equals("--twice")) {
            sum = Helper.twice(sum);
        }
        String data = args.length > 1 ? Files.readAllLines(Path.of(args[1])).get(0) : "";
        Scanner scanner = new Scanner(reader);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        while (scanner.hasNext()) {
            out.printf("%s %d %s%n", scanner.next(), sum, data);
        }
        out.flush();
        if (sum < 0) {
            System.exit(3);
        }
    }
}
