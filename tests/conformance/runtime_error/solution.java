class Solution {
    public int checkPositive(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative");
        }
        return n;
    }
}
