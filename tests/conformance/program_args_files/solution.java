import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Scanner;

public class Main {
    public static void main(String[] args) throws IOException {
        Scanner in = new Scanner(System.in);
        long n = in.nextLong();
        System.out.println("args: " + args.length);
        for (String arg : args) {
            System.out.println(arg);
        }
        System.out.println("twice: " + Helper.twice(n));
        System.out.println("data: " + Files.readAllLines(Path.of("data.txt")).get(0));
    }
}
