class Solution {
    public int f(int n) {
        if (n == 1) {
            while (true) {
            }
        }
        return n;
    }
}
