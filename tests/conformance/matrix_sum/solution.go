func matrixSum(grid [][]int) int {
	sum := 0
	for _, row := range grid {
		for _, v := range row {
			sum += v
		}
	}
	return sum
}
