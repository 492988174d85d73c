import (
	"maps"
	"slices"
)

// stats uses Go 1.21-1.22 features: the min and max built-ins, packages slices and maps,
// and range over an int.
func stats(nums []int) []int64 {
	lo, hi := nums[0], nums[0]
	counts := map[int]int{}
	for i := range len(nums) {
		lo, hi = min(lo, nums[i]), max(hi, nums[i])
		counts[nums[i]]++
	}
	sorted := slices.Clone(nums)
	slices.Sort(sorted)
	distinct := len(slices.Compact(sorted))
	evens := maps.Clone(counts)
	maps.DeleteFunc(evens, func(value, _ int) bool { return value%2 != 0 })
	var squares int64
	for value, count := range evens {
		squares += int64(count) * int64(value) * int64(value)
	}
	return []int64{int64(lo), int64(hi), int64(distinct), squares}
}
