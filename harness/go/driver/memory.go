package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// The sandbox's memory limit is its cgroup's: v1 or v2, whichever this machine mounts.
const (
	cgroupV1Limit = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	cgroupV1OOM   = "/sys/fs/cgroup/memory/memory.oom_control"
	cgroupV2Limit = "/sys/fs/cgroup/memory.max"
	cgroupV2OOM   = "/sys/fs/cgroup/memory.events"
)

// heapShare is the part of the memory limit the program's Go runtime is told it may use
// (GOMEMLIMIT): the rest is for this process, the program's stacks outside the heap, its
// binary and what it writes to /tmp (a tmpfs, in memory).
const heapShare = 0.8

// memoryLimit is the container's memory limit in bytes, or 0 where there is none.
func memoryLimit() int64 {
	for _, path := range []string{cgroupV1Limit, cgroupV2Limit} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		text := strings.TrimSpace(string(data))
		if text == "max" {
			return 0
		}
		limit, err := strconv.ParseInt(text, 10, 64)
		// cgroup v1 says "no limit" with a number near 2^63.
		if err != nil || limit <= 0 || limit >= 1<<62 {
			return 0
		}
		return limit
	}
	return 0
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

// oomKills is how many processes the kernel's OOM killer has killed in this container,
// or -1 where the cgroup does not say.
func oomKills() int64 {
	for _, path := range []string{cgroupV1OOM, cgroupV2OOM} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if fields := strings.Fields(line); len(fields) == 2 && fields[0] == "oom_kill" {
				if n, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// killedForMemory tells whether a program that ended so was killed by the OOM killer:
// by SIGKILL, with the cgroup's count of OOM kills gone up since killsBefore (where the
// cgroup keeps no count, a SIGKILL that left this process alive is taken for one: the
// worker kills the whole sandbox, not one process in it).
func killedForMemory(state *os.ProcessState, killsBefore int64) bool {
	status, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		return false
	}
	after := oomKills()
	return killsBefore < 0 || after < 0 || after > killsBefore
}

// oomReport is the last words for a program the OOM killer ended, in the Go runtime's.
func oomReport(limit int64) string {
	where := "the sandbox's memory limit"
	if limit > 0 {
		where += fmt.Sprintf(" (%d MiB)", limit>>20)
	}
	return "fatal error: runtime: out of memory: the program was killed by the kernel at " + where
}

// goOutOfMemory matches the Go runtime's own report of running out of memory.
func goOutOfMemory(stderr []byte) bool {
	text := string(stderr)
	return strings.Contains(text, "fatal error: out of memory") ||
		strings.Contains(text, "fatal error: runtime: out of memory")
}

// preferForOOM makes a started program the OOM killer's first choice in the sandbox, so
// that this process survives to report it.
func preferForOOM(pid int) {
	os.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid), []byte("1000"), 0)
}

// peakKB is a finished program's peak resident set size in KiB, from wait4's rusage.
func peakKB(state *os.ProcessState) int64 {
	if usage, ok := state.SysUsage().(*syscall.Rusage); ok && usage != nil {
		return usage.Maxrss
	}
	return 0
}
