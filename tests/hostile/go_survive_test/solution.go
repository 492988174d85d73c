package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Test 1 starts a shell in a session of its own that puts a subshell in the background and
// exits, so the subshell belongs to no one: it sleeps 2 s, then writes /tmp/marker. Test 2
// waits 3 s and says whether /tmp/marker exists or any process of this uid other than
// this one is alive (not counting zombies, which are dead): both must be gone.
func f(n int) bool {
	if n == 1 {
		shell := exec.Command("/bin/sh", "-c", "(trap '' HUP TERM; sleep 2; echo alive > /tmp/marker) </dev/null >/dev/null 2>&1 &")
		shell.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		return shell.Run() == nil
	}
	time.Sleep(3 * time.Second)
	if _, err := os.Stat("/tmp/marker"); err == nil {
		return true
	}
	return othersAlive()
}

func othersAlive() bool {
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		status, err := os.ReadFile("/proc/" + entry.Name() + "/status")
		if err != nil {
			continue
		}
		var uid, state string
		for _, line := range strings.Split(string(status), "\n") {
			fields := strings.Fields(line)
			if len(fields) >= 2 && fields[0] == "Uid:" {
				uid = fields[1]
			}
			if len(fields) >= 2 && fields[0] == "State:" {
				state = fields[1]
			}
		}
		if uid == strconv.Itoa(os.Getuid()) && state != "Z" {
			return true
		}
	}
	return false
}
