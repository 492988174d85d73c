package main

// Test 1 starts goroutines that block forever, without end; test 2 returns at once.
func f(n int) int {
	if n == 1 {
		block := make(chan struct{})
		for {
			go func() { <-block }()
		}
	}
	return n
}
