package main

// Test 1 recurses without end; test 2 returns at once.
func down(n int) int {
	return down(n+1) + 1
}

func f(n int) int {
	if n == 1 {
		return down(0)
	}
	return n
}
