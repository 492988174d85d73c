import "encoding/json"

// check judges pair_with_sum's answer. A parameter of type any holds the JSON value as
// encoding/json decodes it, its numbers as json.Number.
func check(input any, expectedOutput string, actualOutput any) map[string]any {
	args := input.([]any)
	nums := args[0].([]any)
	target, _ := args[1].(json.Number).Int64()
	pair, isArray := actualOutput.([]any)
	if expectedOutput == "none" {
		if isArray && len(pair) == 0 {
			return verdict(true, "no pair, as expected", 1)
		}
		return verdict(false, "expected no pair", 0)
	}
	if !validPair(nums, target, pair) {
		return verdict(false, "not a pair with the sum", 0)
	}
	if expectedOutput == "half" {
		return verdict(true, "half marks", 0.5)
	}
	return verdict(true, "a valid pair", 1)
}

// validPair reports whether pair is two distinct indices of nums whose values sum to target.
func validPair(nums []any, target int64, pair []any) bool {
	if len(pair) != 2 {
		return false
	}
	var indices [2]int64
	for k, item := range pair {
		number, ok := item.(json.Number)
		if !ok {
			return false
		}
		index, err := number.Int64()
		if err != nil || index < 0 || index >= int64(len(nums)) {
			return false
		}
		indices[k] = index
	}
	if indices[0] == indices[1] {
		return false
	}
	a, _ := nums[indices[0]].(json.Number).Int64()
	b, _ := nums[indices[1]].(json.Number).Int64()
	return a+b == target
}

func verdict(passed bool, message string, score float64) map[string]any {
	return map[string]any{"passed": passed, "message": message, "score": score}
}
