class Solution {
    // input is [nums, target]; JSON numbers arrive as Long (or Double), arrays as List.
    public Map<String, Object> check(Object input, String expected_output, Object actual_output) {
        List<?> arguments = (List<?>) input;
        List<?> nums = (List<?>) arguments.get(0);
        long target = ((Number) arguments.get(1)).longValue();
        if (expected_output.equals("none")) {
            boolean passed = actual_output instanceof List<?> list && list.isEmpty();
            return verdict(passed, passed ? "no pair, as expected" : "expected no pair", passed ? 1 : 0);
        }
        boolean valid = actual_output instanceof List<?> pair && pair.size() == 2
                && index(pair.get(0), nums.size()) >= 0 && index(pair.get(1), nums.size()) >= 0;
        if (valid) {
            List<?> pair = (List<?>) actual_output;
            int i = index(pair.get(0), nums.size());
            int j = index(pair.get(1), nums.size());
            valid = i != j && ((Number) nums.get(i)).longValue() + ((Number) nums.get(j)).longValue() == target;
        }
        if (valid && expected_output.equals("half")) {
            return verdict(true, "half marks", 0.5);
        }
        return verdict(valid, valid ? "a valid pair" : "not a pair with the sum", valid ? 1 : 0);
    }

    /** The value as an index into a list of {@code size}, or -1 when it is none. */
    private static int index(Object value, int size) {
        if (value instanceof Long index && index >= 0 && index < size) {
            return index.intValue();
        }
        return -1;
    }

    private static Map<String, Object> verdict(boolean passed, String message, double score) {
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("passed", passed);
        verdict.put("message", message);
        verdict.put("score", score);
        return verdict;
    }
}
