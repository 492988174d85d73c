package main

import (
	"fmt"
	"runtime"
	"syscall"
)

// The numbers are x86_64's and arm64's (Go's syscall package lacks the newer names).
var numbers = map[string]map[string]uintptr{
	"amd64": {"io_uring_setup": 425, "userfaultfd": 323, "bpf": 321, "perf_event_open": 298,
		"keyctl": 250, "add_key": 248, "unshare_user": 272, "mount": 165, "ptrace": 101,
		"process_vm_readv": 310},
	"arm64": {"io_uring_setup": 425, "userfaultfd": 282, "bpf": 280, "perf_event_open": 241,
		"keyctl": 219, "add_key": 217, "unshare_user": 97, "mount": 40, "ptrace": 117,
		"process_vm_readv": 270},
}

func tryCall(name string) string {
	var a1, a2, a3, a4 uintptr
	switch name {
	case "unshare_user":
		a1 = 0x10000000 // CLONE_NEWUSER
	case "ptrace":
		a1, a2 = 16, 1 // PTRACE_ATTACH to pid 1
	}
	_, _, errno := syscall.Syscall6(numbers[runtime.GOARCH][name], a1, a2, a3, a4, 0, 0)
	if errno == syscall.EPERM || errno == syscall.ENOSYS {
		return "blocked"
	}
	return fmt.Sprintf("allowed: errno %d", int(errno))
}
