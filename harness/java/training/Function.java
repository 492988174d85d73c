import java.io.*;

/** A training submission: what LeetCode solutions commonly use, so that it is all archived. */
class Solution {
    private static final Map<Integer, Long> MEMO = new HashMap<>();

    public Map<String, Object> train(int[] nums, int[][] grid, List<String> words, Map<String, Integer> counts,
            ListNode head, TreeNode root, long big, double x, char c, String text) throws IOException {
        if (nums.length == 0) {
            throw new IllegalArgumentException("empty");
        }
        Map<String, Object> out = new TreeMap<>();
        out.put("sorted", Arrays.stream(nums).boxed().sorted(Comparator.reverseOrder()).collect(Collectors.toList()));
        int total = 0;
        for (int[] row : grid) {
            total += IntStream.of(row).sum();
        }
        out.put("total", total);
        Map<String, Integer> frequencies = new HashMap<>(counts);
        for (String word : words) {
            frequencies.merge(word, 1, Integer::sum);
        }
        out.put("frequencies", frequencies);
        out.put("distinct", new HashSet<>(words));
        PriorityQueue<int[]> queue = new PriorityQueue<>((a, b) -> Integer.compare(a[0], b[0]));
        for (int n : nums) {
            queue.offer(new int[] {n, n * 2});
        }
        Deque<Integer> stack = new ArrayDeque<>();
        while (!queue.isEmpty()) {
            stack.push(queue.poll()[1]);
        }
        out.put("stack", new ArrayList<>(stack));
        out.put("list", reverse(head));
        out.put("tree", invert(root));
        out.put("depth", depth(1 << 14));
        out.put("big", big * 2 + fib(80));
        out.put("x", x / 3 + Math.sqrt(2));
        out.put("nan", Double.NaN);
        out.put("c", Character.toUpperCase(c));
        StringBuilder numbers = new StringBuilder();
        Scanner scanner = new Scanner(text);
        while (scanner.hasNextInt()) {
            numbers.append(scanner.nextInt()).append(' ');
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(text.getBytes())));
        out.put("line", reader.readLine() + String.format("%d-%.2f", total, x) + numbers.toString().trim());
        out.put("joined", String.join(",", words) + words.stream().map(String::toUpperCase).collect(Collectors.joining("|")));
        char[] chars = text.toCharArray();
        Arrays.sort(chars);
        out.put("chars", chars);
        long[] longs = new long[3];
        Arrays.fill(longs, big);
        out.put("longs", longs);
        out.put("words", text.split("\\s+"));
        System.out.println("printing " + out.size());
        System.err.printf("error stream %s%n", text);
        return out;
    }

    /** The function of the job with many tests. */
    public int add(int a, int b) {
        return a + b;
    }

    private static int depth(int n) {
        return n == 0 ? 0 : 1 + depth(n - 1);
    }

    private static long fib(int n) {
        if (n < 2) {
            return n;
        }
        Long known = MEMO.get(n);
        if (known == null) {
            known = fib(n - 1) + fib(n - 2);
            MEMO.put(n, known);
        }
        return known;
    }

    private ListNode reverse(ListNode head) {
        ListNode previous = null;
        while (head != null) {
            ListNode next = head.next;
            head.next = previous;
            previous = head;
            head = next;
        }
        return previous;
    }

    private TreeNode invert(TreeNode node) {
        if (node == null) {
            return null;
        }
        TreeNode left = invert(node.left);
        node.left = invert(node.right);
        node.right = left;
        return node;
    }
}
