/**
 * @param {number[][]} grid
 * @return {number}
 */
function matrixSum(grid) {
  return grid.flat().reduce((sum, n) => sum + n, 0);
}
