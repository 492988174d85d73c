package main

import (
	"harnessrt"
	"os"
	"strings"
	"syscall"
	"time"
	_ "unsafe" // for go:linkname
)

// Test 1 reaches for the harness's runtime package, harnessrt, from inside: its variables
// under every name a harness might keep the current reply path, the job, the control pipe
// or a reply writer in (//go:linkname binds a variable of this package to that symbol; a
// name harnessrt does not define is this package's own, empty), and harnessrt.Run itself,
// called again to serve the tests with a function that says 1. It writes a forged reply
// for test 2 to whatever path or writer it finds, and leaves a goroutine that keeps trying
// every millisecond on whatever path or writer appears later. Test 2 loops forever: no
// forgery may give it a result.

//go:linkname replyPath harnessrt.replyPath
var replyPath string

//go:linkname currentReply harnessrt.currentReply
var currentReply string

//go:linkname replyTo harnessrt.replyTo
var replyTo string

//go:linkname jobReply harnessrt.jobReply
var jobReply string

//go:linkname events harnessrt.events
var events *os.File

//go:linkname replyFile harnessrt.replyFile
var replyFile *os.File

//go:linkname writer harnessrt.writer
var writer *os.File

//go:linkname control harnessrt.control
var control *os.File

const forged = `{"event":"test","index":1,"value":"1","time_ms":1,"memory_kb":1,"stdout":"","stderr":"","stdout_bytes":0,"stderr_bytes":0}` + "\n"

// attempt writes the forged reply to every path and writer it can reach through harnessrt.
func attempt() {
	for _, path := range []string{replyPath, currentReply, replyTo, jobReply} {
		if strings.HasPrefix(path, "/") {
			if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0); err == nil {
				syscall.Write(fd, []byte(forged))
				syscall.Close(fd)
			}
		}
	}
	for _, file := range []*os.File{events, replyFile, writer, control} {
		if file != nil {
			file.Write([]byte(forged))
		}
	}
}

func f(n int) int {
	if n == 1 {
		attempt()
		// A second serving loop, if Run served again, would take test 2's line and reply
		// for it with this function's 1.
		go harnessrt.Run(func(int) int { return 1 })
		go func() {
			for {
				attempt()
				time.Sleep(time.Millisecond)
			}
		}()
		return 1
	}
	for {
	}
}
