// The Go sandbox's harness (harness/PROTOCOL.md): it reads the job, builds the user's code
// into a program and runs it, writing the events behind the nonce.
//
// The nonce never leaves this process. In function mode the program is the user's code
// with a generated main that calls harnessrt.Run, which writes bare event lines to a pipe
// that this process forwards; in program mode this process runs the user's program once
// per test and writes the events itself.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

type job struct {
	Nonce            string            `json:"nonce"`
	Code             string            `json:"code"`
	FunctionName     *string           `json:"function_name"`
	Imports          []string          `json:"imports"`
	Inputs           []json.RawMessage `json:"inputs"`
	OutputLimitBytes *int              `json:"output_limit_bytes"`
}

// exitHarnessError is the exit status when the harness itself fails (EX_SOFTWARE).
const exitHarnessError = 70

func main() {
	// The user's code runs under this uid. Undumpable, this process keeps its memory, and
	// so the nonce, out of that code's reach (/proc/PID/mem).
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	os.Exit(run())
}

func run() int {
	var j job
	line, err := bufio.NewReader(os.Stdin).ReadBytes('\n')
	if err == nil || err == io.EOF {
		err = json.Unmarshal(line, &j)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness: cannot read the job:", err)
		return exitHarnessError
	}
	events := eventWriter{j.Nonce}
	limit := 65536
	if j.OutputLimitBytes != nil {
		limit = *j.OutputLimitBytes
	}

	started := time.Now()
	files, err := prepare(j.Code, j.FunctionName, j.Imports)
	var program executable
	if err == nil {
		program, err = build(files)
	}
	var failure loadError
	if errors.As(err, &failure) {
		events.write(map[string]string{"event": "load_failed", "message": failure.message})
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return exitHarnessError
	}
	events.write(map[string]interface{}{"event": "loaded", "compile_time_ms": milliseconds(time.Since(started))})

	runTests := runFunction
	if j.FunctionName == nil {
		runTests = runProgram
	}
	status, err := runTests(program, j.Inputs, limit, events)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return exitHarnessError
	}
	return status
}

// runFunction runs the program built around the user's function, which runs every test,
// and forwards its events. It returns this process's exit status.
func runFunction(program executable, inputs []json.RawMessage, limit int, events eventWriter) (int, error) {
	jobPath := filepath.Join(buildDir, "job.json")
	jobText, err := json.Marshal(map[string]interface{}{"inputs": inputs, "output_limit_bytes": limit})
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(jobPath, jobText, 0o600); err != nil {
		return 0, err
	}
	stdout, err := captureFile("stdout")
	if err != nil {
		return 0, err
	}
	stderr, err := captureFile("stderr")
	if err != nil {
		return 0, err
	}
	eventsIn, eventsOut, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	process := &exec.Cmd{
		Path:       program.path(),
		Args:       []string{"solution", jobPath},
		Dir:        "/tmp",
		Stdout:     stdout,
		Stderr:     stderr,
		ExtraFiles: []*os.File{eventsOut}, // fd 3, see harnessrt
	}
	if err := process.Start(); err != nil {
		return 0, fmt.Errorf("cannot start the program: %v", err)
	}
	eventsOut.Close()

	done := false
	lines := bufio.NewReader(eventsIn)
	for {
		line, err := lines.ReadBytes('\n')
		var event struct {
			Event string `json:"event"`
		}
		if err == nil && json.Unmarshal(line, &event) == nil {
			events.forward(line)
			done = done || event.Event == "done"
		}
		if err != nil {
			break
		}
	}
	process.Wait()
	if done {
		return 0, nil
	}
	// The program died in a test (a fatal error, a panic in a goroutine, os.Exit, a
	// signal): the worker reads the crash from this stderr and the status from this exit.
	os.Stderr.Write(crashHead(unread(stderr)))
	return exitStatus(process.ProcessState), nil
}

// crashReport matches the first line of Go's report of a fatal panic or error.
var crashReport = regexp.MustCompile(`(?m)^(panic|fatal error|runtime): `)

// crashHead is Go's crash report in what a dead program wrote to stderr (or the end of
// that output where there is none), small enough for the worker to keep whole.
func crashHead(stderr []byte) []byte {
	const keep = 4000
	start := len(stderr) - keep
	if found := crashReport.FindIndex(stderr); found != nil {
		start = found[0]
	}
	if start < 0 {
		start = 0
	}
	return stderr[start:min(start+keep, len(stderr))]
}

// runProgram runs the user's whole program once per test, the input as its stdin.
func runProgram(program executable, inputs []json.RawMessage, limit int, events eventWriter) (int, error) {
	stdinPath := filepath.Join(buildDir, "stdin")
	for index, raw := range inputs {
		event := programEvent{Event: "test", Index: index}
		var input string
		if err := json.Unmarshal(raw, &input); err != nil {
			event.Error = "a program's input is its stdin, a string, not " + string(raw)
			events.write(event)
			continue
		}
		if err := os.WriteFile(stdinPath, []byte(input), 0o600); err != nil {
			return 0, err
		}
		stdin, err := os.Open(stdinPath)
		if err != nil {
			return 0, err
		}
		stdout, stderr := &capped{limit: limit}, &capped{limit: limit}
		process := &exec.Cmd{
			Path:   program.path(),
			Args:   []string{"solution"},
			Dir:    "/tmp",
			Stdin:  stdin,
			Stdout: stdout,
			Stderr: stderr,
		}
		started := time.Now()
		err = process.Run()
		event.TimeMs = milliseconds(time.Since(started))
		stdin.Close()
		var exited *exec.ExitError
		if errors.As(err, &exited) {
			event.Error = describeExit(exited.ProcessState)
		} else if err != nil {
			event.Error = "the program could not run: " + err.Error()
		}
		event.Output, event.Stderr = stdout.String(), stderr.String()
		events.write(event)
	}
	events.write(map[string]string{"event": "done"})
	return 0, nil
}

type programEvent struct {
	Event  string  `json:"event"`
	Index  int     `json:"index"`
	Output string  `json:"output"`
	Stderr string  `json:"stderr"`
	TimeMs float64 `json:"time_ms"`
	Error  string  `json:"error,omitempty"`
}

func describeExit(state *os.ProcessState) string {
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return fmt.Sprintf("the program was killed by signal %d (%v)", status.Signal(), status.Signal())
	}
	return fmt.Sprintf("the program exited with code %d", state.ExitCode())
}

// exitStatus is the shell's number for how a process ended: its code, or 128 + signal.
func exitStatus(state *os.ProcessState) int {
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return 128 + int(status.Signal())
	}
	return state.ExitCode()
}

// captureFile is a file to stand in for one of the program's standard descriptors; the
// program reads it back and empties it after each test.
func captureFile(name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(buildDir, name), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
}

// unread is what the program wrote to a capture file since it last emptied it.
func unread(file *os.File) []byte {
	info, err := file.Stat()
	if err != nil {
		return nil
	}
	text := make([]byte, info.Size())
	n, _ := file.ReadAt(text, 0)
	return text[:n]
}

// capped keeps the first limit bytes written to it and counts the rest.
type capped struct {
	kept    []byte
	written int
	limit   int
}

func (c *capped) Write(p []byte) (int, error) {
	c.written += len(p)
	if room := c.limit - len(c.kept); room > 0 {
		c.kept = append(c.kept, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// String is the kept text, with the note harnessrt also writes when some was cut.
func (c *capped) String() string {
	text := string(c.kept)
	if c.written > c.limit {
		text += fmt.Sprintf("\n[output truncated: %d bytes written, %d kept]", c.written, c.limit)
	}
	return text
}

// eventWriter writes events to this process's stdout, each line behind the nonce.
type eventWriter struct{ nonce string }

func (w eventWriter) write(event interface{}) {
	text, err := json.Marshal(event)
	if err != nil {
		panic(err) // events hold only strings and numbers
	}
	w.forward(append(text, '\n'))
}

// forward writes one event line, ended by its newline, in one write.
func (w eventWriter) forward(line []byte) {
	os.Stdout.Write(append([]byte(w.nonce+" "), line...))
}

func milliseconds(d time.Duration) float64 {
	return float64(d.Nanoseconds()) / 1e6
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
