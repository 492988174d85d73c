package main

import (
	"fmt"
	"os"
	"syscall"
)

// Each test prints the out-of-memory words of every runtime to stderr, then fails in its
// own way: test 1 panics, test 2 exits with Go's status for a fatal error after printing
// what the Go runtime prints when memory runs out, test 3 kills its own process. No memory
// ran out: each is a runtime error, never the memory limit.
func f(n int) int {
	fmt.Fprintln(os.Stderr, "out of memory")
	fmt.Fprintln(os.Stderr, "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory")
	fmt.Fprintln(os.Stderr, "java.lang.OutOfMemoryError: Java heap space")
	fmt.Fprintln(os.Stderr, "terminate called after throwing an instance of 'std::bad_alloc'")
	fmt.Fprintln(os.Stderr, "MemoryError")
	switch n {
	case 1:
		panic("runtime: out of memory")
	case 2:
		fmt.Fprintln(os.Stderr, "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nruntime.throw({0x4a1b2c, 0x16})")
		os.Exit(2)
	case 3:
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return n
}
