package main

import (
	"os"
	"syscall"
)

// Test 1 tries to write 40 MB without a newline to the container's stdout and stderr,
// which PID 1 (the supervisor, another uid) holds: it says whether both opens failed for
// lack of permission. Test 2 writes 20 MB without a newline to each of its own stdout and
// stderr, far past the output limit. Test 3 is honest.
func f(n int) interface{} {
	switch n {
	case 1:
		denied := 0
		for _, path := range []string{"/proc/1/fd/1", "/proc/1/fd/2"} {
			file, err := os.OpenFile(path, os.O_WRONLY, 0)
			if os.IsPermission(err) {
				denied++
			} else if err == nil {
				flood(int(file.Fd()), 40)
				file.Close()
			}
		}
		return denied == 2
	case 2:
		flood(1, 20)
		flood(2, 20)
		return n
	}
	return n
}

// flood writes mb megabytes of 'x' to a descriptor, a megabyte a write.
func flood(fd, mb int) {
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = 'x'
	}
	for i := 0; i < mb; i++ {
		syscall.Write(fd, chunk)
	}
}
