class Solution {
    public int[] pair_with_sum(int[] nums, int target) {
        Map<Long, Integer> first = new HashMap<>(); // value -> its first index
        for (int j = 0; j < nums.length; j++) {
            Integer i = first.get((long) target - nums[j]);
            if (i != null) {
                return new int[] {i, j};
            }
            first.putIfAbsent((long) nums[j], j);
        }
        return new int[0];
    }
}
