import java.nio.file.*;

public class Main {
    public static void main(String[] args) throws Exception {
        String data = Files.readString(Path.of("data.txt")).trim();
        System.out.println(Helper.name() + " " + data);
        Files.writeString(Path.of("data.txt"), "rewritten\n");
        Files.writeString(Path.of("Helper.java"), "class Helper { static String name() { return \"forged\"; } }");
    }
}
