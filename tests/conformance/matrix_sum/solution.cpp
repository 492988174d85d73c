int matrixSum(vector<vector<int>>& grid) {
    int sum = 0;
    for (const auto& row : grid)
        for (int v : row) sum += v;
    return sum;
}
