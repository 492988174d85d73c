// Package harnessrt is the part of the Go harness that runs inside the user's program:
// the driver generates a main that calls Run with the user's function, compiles it against
// this package (precompiled at image build time) and starts it with
//
//	fd 0  /dev/null
//	fd 1  the stdout capture file (read-write, append-only, shared with the driver)
//	fd 2  the stderr capture file (read-write, append-only, shared with the driver)
//	fd 3  the write end of the event pipe
//	argv[1] the path of the job file: {"inputs": [...], "output_limit_bytes": N,
//	        "value_limit_bytes": N, "token": "..."}
//
// Events go out as JSON lines behind the job file's token, which the driver checks and
// replaces with the nonce (which only the driver knows). The package's init, which runs
// before any of the user's code (the user's package imports this one), reads the job file
// and removes it, and moves the event pipe off fd 3: what the user's code writes to the
// descriptors it finds does not read as an event without the token.
package harnessrt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// eventFd is where the driver hands over the event pipe.
const eventFd = 3

// eventFdFloor is the lowest descriptor the pipe moves to, out of the way of the ones a
// program opens.
const eventFdFloor = 100

// maxStack is below Go's default of 1 GB, so that runaway recursion ends in "fatal error:
// stack overflow" rather than in the sandbox's 512 MB memory limit, and soon: the stack
// grows by copying, so the old half is held too (about 200 MB at the end), and at this
// size a small frame still recurses a million deep.
const maxStack = 128 << 20

// userFile is the name the driver's //line directive gives the user's code.
const userFile = "solution.go"

type job struct {
	Inputs           []json.RawMessage `json:"inputs"`
	OutputLimitBytes int               `json:"output_limit_bytes"`
	ValueLimitBytes  int               `json:"value_limit_bytes"`
	Token            string            `json:"token"`
}

type testEvent struct {
	Event    string  `json:"event"`
	Index    int     `json:"index"`
	Value    *string `json:"value,omitempty"`
	Error    string  `json:"error,omitempty"`
	TimeMs   float64 `json:"time_ms"`
	MemoryKb int64   `json:"memory_kb"`
	Stdout   string  `json:"stdout"`
	Stderr   string  `json:"stderr"`
	Limit    string  `json:"limit,omitempty"`
}

var (
	// theJob and jobError are what init read.
	theJob   job
	jobError error
	// events is the event pipe, where init moved it.
	events *os.File
)

func init() {
	if len(os.Args) < 2 {
		jobError = fmt.Errorf("no job file")
		return
	}
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		os.Remove(os.Args[1])
		err = json.Unmarshal(data, &theJob)
	}
	jobError = err
	moved, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, eventFd, syscall.F_DUPFD_CLOEXEC, eventFdFloor)
	if errno != 0 {
		jobError = fmt.Errorf("cannot move the event pipe: %v", errno)
		return
	}
	syscall.Close(eventFd)
	events = os.NewFile(moved, "events")
}

// emit writes one event, behind the token, in one write.
func emit(event interface{}) {
	var line bytes.Buffer
	line.WriteString(theJob.Token)
	line.WriteByte(' ')
	encoder := json.NewEncoder(&line)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(event); err != nil {
		panic(err) // the events hold only strings and numbers
	}
	events.Write(line.Bytes())
}

// Run calls fn once per test case of the job and reports each one on the event pipe.
func Run(fn interface{}) {
	if jobError != nil || events == nil {
		fmt.Fprintln(os.Stderr, "harness: cannot read the job:", jobError)
		os.Exit(70)
	}
	debug.SetMaxStack(maxStack)
	j := theJob
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
			} else if value, size, err := renderLimited(results, j.ValueLimitBytes); err != nil {
				event.Error = "the return value cannot be rendered as JSON: " + err.Error()
			} else if size > j.ValueLimitBytes {
				event.Error = fmt.Sprintf("the returned value is %d bytes of JSON; the limit is %d", size, j.ValueLimitBytes)
				event.Limit = "output"
			} else {
				event.Value = &value
			}
			results, args = nil, nil
		}
		event.Error = cut(event.Error, j.ValueLimitBytes)
		var overflow [2]bool
		event.Stdout, overflow[0] = stdout.take()
		event.Stderr, overflow[1] = stderr.take()
		if overflow[0] || overflow[1] {
			event.Limit = "output"
		}
		event.MemoryKb = peakKB()
		emit(event)
	}
	emit(map[string]string{"event": "done"})
}

// cut keeps the first limit bytes of text (not splitting a character), with a note.
func cut(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	kept := limit
	for kept > 0 && !utf8RuneStart(text[kept]) {
		kept--
	}
	return text[:kept] + fmt.Sprintf("\n[truncated: %d bytes, %d kept]", len(text), kept)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// peakKB is the peak resident set size of this process so far, in KiB: VmHWM, which is
// this program's own (getrusage's ru_maxrss also counts the driver's, whose memory the
// program shared until it executed), else ru_maxrss.
func peakKB() int64 {
	if status, err := os.Open("/proc/self/status"); err == nil {
		defer status.Close()
		lines := bufio.NewScanner(status)
		for lines.Scan() {
			if rest := strings.TrimPrefix(lines.Text(), "VmHWM:"); rest != lines.Text() {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil {
					return kb
				}
			}
		}
	}
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) == nil {
		return usage.Maxrss
	}
	return 0
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

// take returns what was written since the last take (up to the limit) and empties the
// file, and whether more than the limit was written.
func (c capture) take() (string, bool) {
	info, err := c.file.Stat()
	if err != nil || info.Size() == 0 {
		return "", false
	}
	size := int(info.Size())
	kept := make([]byte, min(size, c.limit))
	n, _ := c.file.ReadAt(kept, 0)
	// The file is append-only: what is written next goes to its new end, even from a
	// goroutine still printing.
	c.file.Truncate(0)
	text := string(kept[:n])
	if size > c.limit {
		text += fmt.Sprintf("\n[output truncated: %d bytes written, %d kept]", size, c.limit)
	}
	return text, size > c.limit
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
