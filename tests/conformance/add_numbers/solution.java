class Solution {
    public int addNumbers(int a, int b) {
        return a + b;
    }
}
