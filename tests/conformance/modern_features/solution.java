// Java 17 throughout: records, a sealed interface, a switch expression, pattern matching
// for instanceof, a text block and Stream.toList(). An older javac rejects it.
class Solution {
    sealed interface Parity permits Even, Odd {}

    record Even(int value) implements Parity {}

    record Odd(int value) implements Parity {}

    record Stats(long min, long max, long distinct, long evenSquares) {
        long[] toArray() {
            return new long[] {min, max, distinct, evenSquares};
        }
    }

    private static Parity parity(int value) {
        return switch (Math.floorMod(value, 2)) {
            case 0 -> new Even(value);
            default -> new Odd(value);
        };
    }

    public long[] stats(int[] nums) {
        if (nums.length == 0) {
            throw new IllegalArgumentException("""
                    nums must hold at least one value""");
        }
        List<Integer> values = Arrays.stream(nums).boxed().toList();
        long evenSquares = 0;
        for (int value : values) {
            if (parity(value) instanceof Even even) {
                evenSquares += (long) even.value() * even.value();
            }
        }
        Stats stats = new Stats(Collections.min(values), Collections.max(values),
                values.stream().distinct().count(), evenSquares);
        return stats.toArray();
    }
}
