class Solution {
    public double[] thirds(int n) {
        return new double[] {2.0 * n / 3, n / 3.0};
    }
}
