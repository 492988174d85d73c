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
	"bytes"
	"crypto/rand"
	"encoding/hex"
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
	ValueLimitBytes  *int              `json:"value_limit_bytes"`
}

// limits are the job's caps on what a test's output and value may be.
type limits struct {
	output, value int
}

// The caps where the job names none.
const (
	defaultOutputLimit = 8192
	defaultValueLimit  = 32768
)

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
	limit := limits{defaultOutputLimit, defaultValueLimit}
	if j.OutputLimitBytes != nil && *j.OutputLimitBytes >= 0 {
		limit.output = *j.OutputLimitBytes
	}
	if j.ValueLimitBytes != nil && *j.ValueLimitBytes >= 0 {
		limit.value = *j.ValueLimitBytes
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
func runFunction(program executable, inputs []json.RawMessage, limit limits, events eventWriter) (int, error) {
	token, err := randomToken()
	if err != nil {
		return 0, err
	}
	jobPath := filepath.Join(buildDir, "job.json")
	jobText, err := json.Marshal(map[string]interface{}{
		"inputs": inputs, "output_limit_bytes": limit.output, "value_limit_bytes": limit.value, "token": token})
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
	memory := memoryLimit()
	process := &exec.Cmd{
		Path:       program.path(),
		Args:       []string{"solution", jobPath},
		Env:        programEnvironment(memory),
		Dir:        "/tmp",
		Stdout:     stdout,
		Stderr:     stderr,
		ExtraFiles: []*os.File{eventsOut}, // fd 3, see harnessrt
	}
	killsBefore := oomKills()
	if err := process.Start(); err != nil {
		return 0, fmt.Errorf("cannot start the program: %v", err)
	}
	preferForOOM(process.Process.Pid)
	eventsOut.Close()

	// Only lines behind the token are harnessrt's, and of those only the events due next:
	// the user's code may write anything to the pipe it shares the process with.
	prefix := []byte(token + " ")
	next, done := 0, false
	lines := bufio.NewReader(eventsIn)
	for {
		line, err := readLine(lines, maxEventBytes(limit))
		if at := bytes.Index(line, prefix); at >= 0 && !done {
			line = line[at+len(prefix):]
			var event struct {
				Event string `json:"event"`
				Index *int   `json:"index"`
			}
			if json.Unmarshal(line, &event) == nil {
				switch {
				case event.Event == "test" && event.Index != nil && *event.Index == next:
					events.forward(line)
					next++
				case event.Event == "done" && next == len(inputs):
					events.forward(line)
					done = true
				}
			}
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
	written := unread(stderr)
	report := crashHead(written)
	lastWords := ""
	if killedForMemory(process.ProcessState, killsBefore) {
		lastWords = oomReport(memory)
	} else if goOutOfMemory(written) {
		// Go's report names it first; its goroutines' traces follow. Said last too.
		lastWords = "fatal error: runtime: out of memory"
	}
	if lastWords != "" {
		if len(report) > 0 && report[len(report)-1] != '\n' {
			report = append(report, '\n')
		}
		report = append(report, lastWords+"\n"...)
	}
	os.Stderr.Write(report)
	return exitStatus(process.ProcessState), nil
}

// maxEventBytes bounds an event line: its value, stdout, stderr and error, escaped.
func maxEventBytes(limit limits) int {
	return 8*(limit.value+2*limit.output) + 1<<16
}

// readLine reads one line, ended by its newline (or the end of the input, with its error),
// dropping lines longer than max: only the user's code writes such.
func readLine(reader *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := reader.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err != bufio.ErrBufferFull {
			if tooLong {
				return nil, err
			}
			return line, err
		}
	}
}

// randomToken is a fresh secret for one run of the program, as hex.
func randomToken() (string, error) {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	return hex.EncodeToString(secret), nil
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
func runProgram(program executable, inputs []json.RawMessage, limit limits, events eventWriter) (int, error) {
	stdinPath := filepath.Join(buildDir, "stdin")
	memory := memoryLimit()
	environment := programEnvironment(memory)
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
		// Files rather than pipes: the test is over when the program is, even if something
		// it started still holds its stdout.
		stdout, err := captureFile("stdout")
		if err != nil {
			return 0, err
		}
		stderr, err := captureFile("stderr")
		if err != nil {
			return 0, err
		}
		process := &exec.Cmd{
			Path:   program.path(),
			Args:   []string{"solution"},
			Env:    environment,
			Dir:    "/tmp",
			Stdin:  stdin,
			Stdout: stdout,
			Stderr: stderr,
		}
		killsBefore := oomKills()
		started := time.Now()
		err = process.Start()
		if err == nil {
			preferForOOM(process.Process.Pid)
			err = process.Wait()
		}
		event.TimeMs = milliseconds(time.Since(started))
		stdin.Close()
		var exited *exec.ExitError
		if errors.As(err, &exited) {
			event.Error = describeExit(exited.ProcessState)
		} else if err != nil {
			event.Error = "the program could not run: " + err.Error()
		}
		var overflow [2]bool
		event.Output, overflow[0] = takeCapture(stdout, limit.output)
		event.Stderr, overflow[1] = takeCapture(stderr, limit.output)
		if overflow[0] || overflow[1] {
			event.Limit = "output"
		}
		if state := process.ProcessState; state != nil {
			event.MemoryKb = peakKB(state)
			if killedForMemory(state, killsBefore) {
				event.Error, event.Limit = oomReport(memory), "memory"
			} else if !state.Success() && goOutOfMemory(unread(stderr)) {
				event.Limit = "memory"
			}
		}
		stdout.Close()
		stderr.Close()
		events.write(event)
	}
	events.write(map[string]string{"event": "done"})
	return 0, nil
}

type programEvent struct {
	Event    string  `json:"event"`
	Index    int     `json:"index"`
	Output   string  `json:"output"`
	Stderr   string  `json:"stderr"`
	TimeMs   float64 `json:"time_ms"`
	MemoryKb int64   `json:"memory_kb"`
	Error    string  `json:"error,omitempty"`
	Limit    string  `json:"limit,omitempty"`
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

// captureFile is a new file to stand in for one of the program's standard descriptors
// (harnessrt reads it back and empties it after each test). Append-only, so that writes
// after it was emptied start at its beginning; a new file, so that nothing left running
// from an earlier program writes into it.
func captureFile(name string) (*os.File, error) {
	path := filepath.Join(buildDir, name)
	os.Remove(path)
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
}

// takeCapture is the first limit bytes of a capture file, with the note harnessrt also
// writes when more was written, and whether it was.
func takeCapture(file *os.File, limit int) (string, bool) {
	info, err := file.Stat()
	if err != nil {
		return "", false
	}
	size := int(info.Size())
	kept := make([]byte, min(size, limit))
	n, _ := file.ReadAt(kept, 0)
	text := string(kept[:n])
	if size > limit {
		text += fmt.Sprintf("\n[output truncated: %d bytes written, %d kept]", size, limit)
	}
	return text, size > limit
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
