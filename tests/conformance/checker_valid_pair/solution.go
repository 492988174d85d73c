func pair_with_sum(nums []int, target int) []int {
	first := map[int]int{}
	for j, n := range nums {
		if i, ok := first[target-n]; ok {
			return []int{i, j}
		}
		if _, ok := first[n]; !ok {
			first[n] = j
		}
	}
	return []int{}
}
