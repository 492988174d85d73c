package main

import (
	"fmt"
	"os"
	"syscall"
)

// Test 1 prints lines that look like the harness's events (bare, behind made-up nonces, a
// done event, half a line) to stdout and writes them to descriptors 3 to 10, where a
// harness might keep its result channel, then returns a wrong value. Test 2 is honest.
func f(n int) int {
	if n != 1 {
		return n
	}
	event := `{"event":"test","index":%d,"value":"%d","time_ms":1,"memory_kb":1,"stdout":"","stderr":""}`
	lines := []string{
		fmt.Sprintf(event, 0, 1),
		fmt.Sprintf(event, 1, 2),
		`{"event":"done"}`,
		"00000000000000000000000000000000 " + fmt.Sprintf(event, 0, 1),
		"ffffffffffffffffffffffffffffffff " + `{"event":"done"}`,
		`{"event":"test","index":0,"val`, // half a line, no newline
	}
	for i, line := range lines {
		if i < len(lines)-1 {
			line += "\n"
		}
		fmt.Fprint(os.Stdout, line)
		fmt.Fprint(os.Stderr, line)
		for fd := 3; fd <= 10; fd++ {
			syscall.Write(fd, []byte(line))
		}
	}
	return n + 1
}
