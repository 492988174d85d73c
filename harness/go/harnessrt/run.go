// Package harnessrt is the part of the Go harness that runs inside the user's program:
// the driver generates a main that calls Run with the user's function, compiles it against
// this package (precompiled at image build time) and starts it with
//
//	fd 0  /dev/null
//	fd 1  the stdout capture file (read-write, shared with the driver)
//	fd 2  the stderr capture file (read-write, shared with the driver)
//	fd 3  the write end of the event pipe
//	argv[1] the path of the job file: {"inputs": [...], "output_limit_bytes": N}
//
// Events go out as bare JSON lines; the driver, which alone knows the nonce, prefixes it.
package harnessrt

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// eventFd is where the driver hands over the event pipe.
const eventFd = 3

// maxStack is below Go's default of 1 GB, so that runaway recursion ends in "fatal error:
// stack overflow" rather than in the sandbox's 512 MB memory limit.
const maxStack = 256 << 20

// userFile is the name the driver's //line directive gives the user's code.
const userFile = "solution.go"

type job struct {
	Inputs           []json.RawMessage `json:"inputs"`
	OutputLimitBytes int               `json:"output_limit_bytes"`
}

type testEvent struct {
	Event  string  `json:"event"`
	Index  int     `json:"index"`
	Value  *string `json:"value,omitempty"`
	Error  string  `json:"error,omitempty"`
	TimeMs float64 `json:"time_ms"`
	Stdout string  `json:"stdout"`
	Stderr string  `json:"stderr"`
}

// Run calls fn once per test case of the job and reports each one on the event pipe.
func Run(fn interface{}) {
	events := os.NewFile(eventFd, "events")
	// Programs the user's code starts must not inherit the result channel.
	syscall.CloseOnExec(eventFd)
	debug.SetMaxStack(maxStack)
	emit := func(event interface{}) {
		var line strings.Builder
		encoder := json.NewEncoder(&line)
		encoder.SetEscapeHTML(false)
		if err := encoder.Encode(event); err != nil {
			panic(err) // the events hold only strings and numbers
		}
		events.Write([]byte(line.String()))
	}

	var j job
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = json.Unmarshal(data, &j)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness: cannot read the job:", err)
		os.Exit(70)
	}
	stdout := capture{os.Stdout, j.OutputLimitBytes}
	stderr := capture{os.Stderr, j.OutputLimitBytes}

	function := reflect.ValueOf(fn)
	for index, input := range j.Inputs {
		event := testEvent{Event: "test", Index: index}
		args, err := decodeArgs(function.Type(), input)
		if err != nil {
			event.Error = err.Error()
		} else {
			results, elapsed, failure := call(function, args)
			event.TimeMs = float64(elapsed.Nanoseconds()) / 1e6
			if failure != "" {
				event.Error = failure
			} else if value, err := renderResults(results); err != nil {
				event.Error = "the return value cannot be rendered as JSON: " + err.Error()
			} else {
				event.Value = &value
			}
		}
		event.Stdout = stdout.take()
		event.Stderr = stderr.take()
		emit(event)
	}
	emit(map[string]string{"event": "done"})
}

// call runs the function once; a panic becomes failure, in the words Go would print it.
func call(function reflect.Value, args []reflect.Value) (results []reflect.Value, elapsed time.Duration, failure string) {
	returned := false
	start := time.Now()
	defer func() {
		if returned {
			return
		}
		elapsed = time.Since(start)
		// recover() is nil for panic(nil) in Go 1.19, which still unwinds to here.
		failure = "panic: " + panicText(recover()) + userFrames()
	}()
	results = function.Call(args)
	elapsed = time.Since(start)
	returned = true
	return results, elapsed, ""
}

// panicText is the panic value as the runtime prints it.
func panicText(value interface{}) string {
	switch v := value.(type) {
	case nil:
		return "nil"
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}

// userFrames is the panicking goroutine's trace, cut to the frames of the user's code.
func userFrames() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	var trace strings.Builder
	for {
		frame, more := frames.Next()
		if frame.File == userFile {
			fmt.Fprintf(&trace, "\n%s(...)\n\t%s:%d", frame.Function, frame.File, frame.Line)
		}
		if !more {
			break
		}
	}
	if trace.Len() == 0 {
		return ""
	}
	return "\n\ngoroutine 1 [running]:" + trace.String()
}

// capture is one of the standard descriptors, backed by a file that is emptied per test.
type capture struct {
	file  *os.File
	limit int
}

// take returns what was written since the last take (up to the limit) and empties the file.
func (c capture) take() string {
	info, err := c.file.Stat()
	if err != nil || info.Size() == 0 {
		return ""
	}
	size := int(info.Size())
	kept := make([]byte, min(size, c.limit))
	n, _ := c.file.ReadAt(kept, 0)
	c.file.Truncate(0)
	c.file.Seek(0, 0)
	text := string(kept[:n])
	if size > c.limit {
		text += fmt.Sprintf("\n[output truncated: %d bytes written, %d kept]", size, c.limit)
	}
	return text
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
