package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// heapShare is the part of the memory limit the program's Go runtime is told it may use
// (GOMEMLIMIT): the rest is for the program's stacks outside the heap, its binary, what is
// written to /tmp (a tmpfs, in memory) and, in program mode, this process.
const heapShare = 0.8

// memoryLimit is the sandbox's memory limit in bytes, which the supervisor passes in
// SANDBOX_MEMORY_BYTES, or 0 where there is none.
func memoryLimit() int64 {
	limit, err := strconv.ParseInt(os.Getenv("SANDBOX_MEMORY_BYTES"), 10, 64)
	if err != nil || limit <= 0 {
		return 0
	}
	return limit
}

// programEnvironment is the environment the user's program runs in: this process's, with
// GOMEMLIMIT sized to the memory limit, so that the garbage collector works harder as the
// heap nears it rather than letting the kernel kill a program that holds garbage.
func programEnvironment(limit int64) []string {
	environment := os.Environ()
	if limit > 0 {
		environment = append(environment, fmt.Sprintf("GOMEMLIMIT=%d", int64(float64(limit)*heapShare)))
	}
	return environment
}

// peakKB is a finished program's peak resident set size in KiB, from wait4's rusage.
func peakKB(state *os.ProcessState) int64 {
	if usage, ok := state.SysUsage().(*syscall.Rusage); ok && usage != nil {
		return usage.Maxrss
	}
	return 0
}
