class Solution {
    public int broken(int[] nums) {
        int total = 0
        for (int n : nums) total += n;
        return totl;
    }
}
