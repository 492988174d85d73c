// Package harnessrt is the part of the Go harness that runs inside the user's program:
// the driver generates a main that calls Run with the user's function, compiles it against
// this package (precompiled at image build time), replies `loaded` and executes the
// program in its own place (harness/PROTOCOL.md), with
//
//	fd 0  the control pipe, whose lines after the job are the tests
//	fd 1  the stdout capture file (read-write, append-only)
//	fd 2  the stderr capture file (read-write, append-only)
//	argv  the job's output_limit_bytes and value_limit_bytes, and the descriptor of the
//	      harness's own stderr, for its own complaints
//
// Run reads each test line, calls the function and writes the test's reply to the line's
// reply path. The package keeps no state of its own: the control pipe, the lines and the
// reply paths live in Run's frame, so that nothing the user's code can name (//go:linkname
// reaches any package's variables and functions) holds a reply path or a writer to one.
package harnessrt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// controlFdFloor is the lowest descriptor Run moves the control pipe to, out of the way of
// the ones a program opens.
const controlFdFloor = 100

// exitHarnessError is the exit status when the harness itself fails (EX_SOFTWARE).
const exitHarnessError = 70

// maxStack is below Go's default of 1 GB, so that runaway recursion ends in "fatal error:
// stack overflow" rather than in the sandbox's 512 MB memory limit, and soon: the stack
// grows by copying, so the old half is held too (about 200 MB at the end), and at this
// size a small frame still recurses a million deep.
const maxStack = 128 << 20

// userFile is the name the driver's //line directive gives the user's code.
const userFile = "solution.go"

// settings are what the driver passes on the command line.
type settings struct {
	outputLimit, valueLimit int
	// stderr is the descriptor of the harness's own stderr, which the supervisor shows if
	// the harness dies. A descriptor, not an *os.File, whose finalizer would close it
	// under the first Run when a second one (the user's code can call Run) is collected.
	stderr int
}

// testLine is one line of the control pipe after the job.
type testLine struct {
	Index int             `json:"index"`
	Input json.RawMessage `json:"input"`
	Reply string          `json:"reply"`
}

type testReply struct {
	Event       string  `json:"event"`
	Index       int     `json:"index"`
	Value       *string `json:"value,omitempty"`
	ValueBytes  int     `json:"value_bytes,omitempty"`
	Error       string  `json:"error,omitempty"`
	TimeMs      float64 `json:"time_ms"`
	MemoryKb    int64   `json:"memory_kb"`
	Stdout      string  `json:"stdout"`
	Stderr      string  `json:"stderr"`
	StdoutBytes int     `json:"stdout_bytes"`
	StderrBytes int     `json:"stderr_bytes"`
}

// Run calls fn once per test line of the control pipe and writes each test's reply, until
// the end of the pipe.
func Run(fn interface{}) {
	s, err := readSettings(os.Args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(exitHarnessError)
	}
	control, err := takeControl()
	if err != nil {
		fail(s, err)
	}
	debug.SetMaxStack(maxStack)
	stdout := capture{os.Stdout, s.outputLimit}
	stderr := capture{os.Stderr, s.outputLimit}

	function := reflect.ValueOf(fn)
	lines := bufio.NewReader(control)
	for {
		// The supervisor writes the next line only after this test's reply: nothing is
		// read ahead.
		line, readErr := lines.ReadBytes('\n')
		if len(line) == 0 {
			if readErr != io.EOF {
				fail(s, fmt.Errorf("cannot read the control pipe: %v", readErr))
			}
			return
		}
		var test testLine
		if err := json.Unmarshal(line, &test); err != nil || test.Reply == "" {
			fail(s, fmt.Errorf("a test line that does not read (%v): %.200q", err, line))
		}
		if err := runTest(function, test, s, stdout, stderr); err != nil {
			fail(s, err)
		}
		if readErr != nil {
			return
		}
	}
}

// runTest calls the function on one test's input and writes the test's reply.
func runTest(function reflect.Value, test testLine, s settings, stdout, stderr capture) error {
	event := testReply{Event: "test", Index: test.Index}
	args, err := decodeArgs(function.Type(), test.Input)
	if err != nil {
		event.Error = err.Error()
	} else {
		results, elapsed, failure := call(function, args)
		event.TimeMs = float64(elapsed.Nanoseconds()) / 1e6
		if failure != "" {
			event.Error = failure
		} else if value, size, err := renderLimited(results, s.valueLimit); err != nil {
			event.Error = "the return value cannot be rendered as JSON: " + err.Error()
		} else if size > s.valueLimit {
			event.ValueBytes = size
		} else {
			event.Value = &value
		}
	}
	event.Error = Cut(event.Error, s.outputLimit)
	event.Stdout, event.StdoutBytes = stdout.take()
	event.Stderr, event.StderrBytes = stderr.take()
	event.MemoryKb = peakKB()
	// Where the code wrote to the path first, the supervisor took that as this test's reply
	// and closed it: ours is then dropped, and the next test still runs.
	_ = Reply(test.Reply, event)
	return nil
}

// readSettings reads the command line: the output and value limits and the descriptor of
// the harness's stderr, which it keeps from the programs the user's code starts.
func readSettings(args []string) (settings, error) {
	var numbers [3]int
	if len(args) != 4 {
		return settings{}, fmt.Errorf("expected 3 arguments, got %q", args[1:])
	}
	for i, arg := range args[1:] {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 {
			return settings{}, fmt.Errorf("argument %d: not a count: %q", i+1, arg)
		}
		numbers[i] = n
	}
	syscall.CloseOnExec(numbers[2])
	return settings{numbers[0], numbers[1], numbers[2]}, nil
}

// fail ends the harness for a fault of its own, saying why on its stderr.
func fail(s settings, err error) {
	syscall.Write(s.stderr, []byte(fmt.Sprintln("harness:", err)))
	os.Exit(exitHarnessError)
}

// takeControl moves the control pipe off descriptor 0, where the user's code would read it
// as its stdin, and leaves /dev/null there: a function's stdin is empty. A second call
// (the user's code can call Run too) finds /dev/null, so only the first serves the tests.
func takeControl() (*os.File, error) {
	moved, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, 0, syscall.F_DUPFD_CLOEXEC, controlFdFloor)
	if errno != 0 {
		return nil, fmt.Errorf("cannot move the control pipe: %v", errno)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	if err := syscall.Dup3(int(null.Fd()), 0, 0); err != nil {
		return nil, fmt.Errorf("cannot put %s on the stdin: %v", os.DevNull, err)
	}
	return os.NewFile(moved, "control"), nil
}

// Reply writes one reply, a JSON object and a newline, to its path, which takes nothing
// else: opened for this reply and closed after it. The driver writes its own with it too.
func Reply(path string, event interface{}) error {
	var line bytes.Buffer
	encoder := json.NewEncoder(&line)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(event); err != nil {
		panic(err) // replies hold only strings and numbers
	}
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write the reply: %v", err)
	}
	_, err = file.Write(line.Bytes())
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("cannot write the reply: %v", err)
	}
	return nil
}

// Cut keeps the first limit bytes of text, less a character the limit would split (text
// that is not UTF-8 there is cut at the limit).
func Cut(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	end := limit
	for start := limit; start >= 0 && start > limit-utf8.UTFMax; start-- {
		if utf8.RuneStart(text[start]) {
			if _, size := utf8.DecodeRuneInString(text[start:]); start+size > limit {
				end = start
			}
			break
		}
	}
	return text[:end]
}

// peakKB is the peak resident set size of this process so far, in KiB: VmHWM, which is
// this program's own (getrusage's ru_maxrss also counts the driver's, which this process was
// until it executed the program), else ru_maxrss.
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
		// recover() is nil where what unwinds to here is no panic (runtime.Goexit).
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

// take returns what was written since the last take, cut to the limit, and how many bytes
// that was, and empties the file.
func (c capture) take() (string, int) {
	info, err := c.file.Stat()
	if err != nil || info.Size() == 0 {
		return "", 0
	}
	size := int(info.Size())
	// A character the limit splits is read whole, to be left out whole.
	kept := make([]byte, min(size, c.limit+utf8.UTFMax))
	n, _ := c.file.ReadAt(kept, 0)
	// The file is append-only: what is written next goes to its new end, even from a
	// goroutine still printing.
	c.file.Truncate(0)
	return Cut(string(kept[:n]), c.limit), size
}
