class Solution {
    public String repeatA(int n) {
        return "a".repeat(n);
    }
}
