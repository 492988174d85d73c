package main

import "math/big"

// Returns integers past the range of a double: 2^63 and 2^64-1 as uint64, 2^64, 10^30 and
// 10^30+1 as *big.Int. Each is compared once with its exact text (accepted) and once with
// a text that differs by one (wrong_answer): no digit may be lost on the way.
func f(k int) interface{} {
	pow := func(base, exp int64) *big.Int {
		return new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil)
	}
	switch k {
	case 0:
		return uint64(1) << 63
	case 1:
		return pow(2, 64)
	case 2:
		return pow(10, 30)
	case 3:
		return ^uint64(0)
	default:
		return new(big.Int).Add(pow(10, 30), big.NewInt(1))
	}
}
