package main

// Test 1 spins forever without calling anything; test 2 returns at once.
func f(n int) int {
	if n == 1 {
		for {
		}
	}
	return n
}
