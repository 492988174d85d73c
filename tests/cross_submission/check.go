package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// sysvObjects are the SysV IPC objects the kernel lists, as "kind key".
func sysvObjects() []string {
	var found []string
	for _, kind := range []string{"shm", "sem", "msg"} {
		table, err := os.ReadFile("/proc/sysvipc/" + kind)
		if err != nil {
			found = append(found, fmt.Sprintf("%s unreadable: %v", kind, err))
			continue
		}
		lines := strings.Split(strings.TrimRight(string(table), "\n"), "\n")
		for _, line := range lines[1:] {
			if fields := strings.Fields(line); len(fields) > 1 {
				found = append(found, kind+" "+fields[1])
			}
		}
	}
	return found
}

// otherProcesses are the live processes of this uid other than this one, its parent and
// its own children. In Go the test runs in the harness's own process, whose threads are
// not listed in /proc (only thread group leaders are).
func otherProcesses() []string {
	self, parent, uid := os.Getpid(), os.Getppid(), strconv.Itoa(os.Getuid())
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return []string{"/proc unreadable: " + err.Error()}
	}
	var found []string
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == self || pid == parent {
			continue
		}
		status, err := os.ReadFile("/proc/" + entry.Name() + "/status")
		if err != nil {
			continue
		}
		fields := map[string]string{}
		for _, line := range strings.Split(string(status), "\n") {
			if key, value, ok := strings.Cut(line, ":"); ok {
				fields[key] = strings.TrimSpace(value)
			}
		}
		uids, states := strings.Fields(fields["Uid"]), strings.Fields(fields["State"])
		if len(uids) == 0 || uids[0] != uid || len(states) == 0 || states[0] == "Z" || states[0] == "X" {
			continue
		}
		if fields["PPid"] == strconv.Itoa(self) {
			continue
		}
		found = append(found, "process "+fields["Name"])
	}
	return found
}

// check reports what a sandbox shows a submission: the same whatever ran in it before.
func check(_ int) interface{} {
	var left []string
	if names, err := os.ReadDir("/tmp"); err == nil {
		var planted []string
		for _, entry := range names {
			switch entry.Name() {
			case "planted", ".hidden", "dir", "link", "fifo":
				planted = append(planted, entry.Name())
			}
		}
		if len(planted) > 0 {
			sort.Strings(planted)
			left = append(left, fmt.Sprintf("/tmp holds %v", planted))
		}
	} else {
		left = append(left, "/tmp unreadable: "+err.Error())
	}
	if cwd, err := os.Getwd(); err != nil || cwd != "/tmp" {
		left = append(left, fmt.Sprintf("cwd %s (%v)", cwd, err))
	}
	if _, set := os.LookupEnv("PLANTED"); set {
		left = append(left, "environment")
	}
	left = append(left, sysvObjects()...)
	left = append(left, otherProcesses()...)

	// "\0planted": bound already if a listener was left behind.
	if probe, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0); err != nil {
		left = append(left, "socket: "+err.Error())
	} else {
		if err := syscall.Bind(probe, &syscall.SockaddrUnix{Name: "@planted"}); err != nil {
			left = append(left, "abstract socket")
		}
		syscall.Close(probe)
	}

	// Most of what the sandbox leaves a test: none of it taken by another. Mapped and
	// unmapped outside the Go heap, so the harness keeps none of it; touched page by page.
	if block, err := syscall.Mmap(-1, 0, 150<<20, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS); err != nil {
		left = append(left, "memory")
	} else {
		for i := 0; i < len(block); i += 4096 {
			block[i] = 1
		}
		syscall.Munmap(block)
	}

	// Many processes at once, of the 64 pids the sandbox allows (the harness's own
	// threads take some).
	var children []*exec.Cmd
	for i := 0; i < 30; i++ {
		child := exec.Command("true")
		if err := child.Start(); err != nil {
			left = append(left, "pids: "+err.Error())
			break
		}
		children = append(children, child)
	}
	for _, child := range children {
		child.Wait()
	}

	if len(left) == 0 {
		return "clean"
	}
	return left
}
