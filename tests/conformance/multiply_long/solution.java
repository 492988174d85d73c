class Solution {
    public long multiply(long a, long b) {
        return a * b;
    }
}
