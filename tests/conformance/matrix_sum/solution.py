def matrixSum(grid):
    return sum(sum(row) for row in grid)
