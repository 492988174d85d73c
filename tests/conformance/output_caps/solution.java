class Solution {
    public int shout(int n, int m) {
        System.out.print("x".repeat(n));
        System.err.print("y".repeat(m));
        return n;
    }
}
