class Solution {
    public int f(int n) {
        if (n == 1) {
            return 1 + down(n);
        }
        return n;
    }

    private int down(int depth) {
        return 1 + down(depth + 1);
    }
}
