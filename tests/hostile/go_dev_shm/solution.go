package main

import "os"

// Tries to create /dev/shm/x and /dev/mqueue/x: the sandbox has no /dev/shm and masks
// /dev/mqueue, so both must fail.
func f() bool {
	failed := 0
	for _, path := range []string{"/dev/shm/x", "/dev/mqueue/x"} {
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			failed++
		}
	}
	return failed == 2
}
