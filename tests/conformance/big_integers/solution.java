class Solution {
    public long addLongs(long a, long b) {
        return a + b;
    }
}
