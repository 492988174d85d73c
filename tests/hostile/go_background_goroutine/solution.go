package main

import (
	"fmt"
	"time"
)

// Each test starts a goroutine that prints forever, a line a millisecond, and returns at
// once: the goroutines outlive their tests, but not the program.
func f(n int) int {
	go func() {
		for i := 0; ; i++ {
			fmt.Println("still here", n, i)
			time.Sleep(time.Millisecond)
		}
	}()
	return n
}
