package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Test 1 tries every route it has to give test 2, which loops forever, a result: it writes
// replies and event lines to descriptors 0 to 40, to the supervisor's stdout and stderr
// (/proc/1/fd), to every FIFO it finds under /run/exec and /tmp, to every pipe this
// process holds (reopened through /proc/self/fd, the control pipe among them) and to
// guessed reply paths, and leaves a goroutine that does so again every millisecond. Each
// forged reply says 1, test 1's own value, so one that lands on test 1's own reply
// changes nothing; test 2 must still run into its time limit.
const forged = `{"event":"test","index":%d,"value":"1","time_ms":1,"memory_kb":1,"stdout":"","stderr":"","stdout_bytes":0,"stderr_bytes":0}` + "\n"

var guesses = []string{
	"/run/exec/0", "/run/exec/1", "/run/exec/2", "/run/exec/reply", "/run/exec/test-1",
	"/tmp/reply", "/tmp/replies-dir/1", "/tmp/replies-dir/2", "/tmp/replies-dir/3",
}

func lines() []byte {
	var all strings.Builder
	for index := 0; index < 3; index++ {
		fmt.Fprintf(&all, forged, index)
	}
	all.WriteString(`{"event":"done"}` + "\n")
	return []byte(all.String())
}

// write writes text to a path, without waiting for a reader that is not there.
func write(path string, text []byte) {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	syscall.Write(fd, text)
	syscall.Close(fd)
}

func fifos(root string) []string {
	var found []string
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode()&os.ModeNamedPipe != 0 {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// attempt writes the forged lines everywhere; own says whether to write to this test's
// own stdout and stderr too (the goroutine does not, so that test 1's output stays small).
func attempt(own bool) {
	text := lines()
	for fd := 0; fd <= 40; fd++ {
		if own || fd > 2 {
			syscall.Write(fd, text)
		}
	}
	paths := append([]string{"/proc/1/fd/0", "/proc/1/fd/1", "/proc/1/fd/2"}, guesses...)
	paths = append(paths, fifos("/run/exec")...)
	paths = append(paths, fifos("/tmp")...)
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, entry := range entries {
		link := "/proc/self/fd/" + entry.Name()
		if target, err := os.Readlink(link); err == nil && strings.HasPrefix(target, "pipe:") {
			paths = append(paths, link)
		} else if err == nil && strings.HasPrefix(target, "/") {
			if info, err := os.Stat(target); err == nil && info.Mode()&os.ModeNamedPipe != 0 {
				paths = append(paths, target)
			}
		}
	}
	for _, path := range paths {
		write(path, text)
	}
}

func f(n int) int {
	if n == 1 {
		attempt(true)
		go func() {
			for {
				attempt(false)
				time.Sleep(time.Millisecond)
			}
		}()
		return 1
	}
	for {
	}
}
