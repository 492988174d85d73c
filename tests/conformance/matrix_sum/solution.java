class Solution {
    public int matrixSum(List<List<Integer>> grid) {
        int sum = 0;
        for (List<Integer> row : grid) {
            for (int value : row) {
                sum += value;
            }
        }
        return sum;
    }
}
