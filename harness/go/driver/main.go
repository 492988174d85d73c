// The Go sandbox's harness (harness/PROTOCOL.md): it reads the job from descriptor 0,
// builds the user's code into a program, or loads the build the job brings, and replies
// `loaded` (or `load_failed`).
//
// In function mode the program is the user's code with a generated main that calls
// harnessrt.Run, and this process executes it in its own place: the program reads the test
// lines from descriptor 0 and replies to each itself. In program mode this process stays,
// runs the user's program once per test line and replies to each.
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
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"exec-engine/harness/go/harnessrt"
)

// job is the job's line, less its build, which readJob takes apart.
type job struct {
	Code             string   `json:"code"`
	FunctionName     *string  `json:"function_name"`
	Imports          []string `json:"imports"`
	OutputLimitBytes *int     `json:"output_limit_bytes"`
	ValueLimitBytes  *int     `json:"value_limit_bytes"`
	ReturnBuild      bool     `json:"return_build"`
	Reply            string   `json:"reply"`
	// Program mode only: the program's command-line arguments, and the files written
	// into its directory.
	Args  []string  `json:"args"`
	Files []jobFile `json:"files"`
}

// jobFile is one of a job's files.
type jobFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// testLine is one line of the control pipe after the job.
type testLine struct {
	Index int             `json:"index"`
	Input json.RawMessage `json:"input"`
	Reply string          `json:"reply"`
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

// stderrFdFloor is the lowest descriptor the harness's stderr moves to in the program,
// clear of the ones this process has open.
const stderrFdFloor = 100

func main() {
	// In program mode this process outlives every test's program, which runs under the same
	// uid: undumpable, it cannot be traced or rewritten through /proc/PID/mem by one test's
	// program to speak for a later test. (Function mode executes the program, and exec
	// makes the process dumpable again: there the code runs in it anyway.)
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	os.Exit(run())
}

func run() int {
	// The supervisor writes the first test line only after the loaded reply: reading
	// ahead here cannot take a line from the program executed in function mode.
	control := bufio.NewReader(os.Stdin)
	j, cached, arrived, err := readJob(control)
	if err == nil && j.Reply == "" {
		err = errors.New("it names no reply path")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness: cannot read the job:", err)
		return exitHarnessError
	}
	limit := limits{defaultOutputLimit, defaultValueLimit}
	if j.OutputLimitBytes != nil && *j.OutputLimitBytes >= 0 {
		limit.output = *j.OutputLimitBytes
	}
	if j.ValueLimitBytes != nil && *j.ValueLimitBytes >= 0 {
		limit.value = *j.ValueLimitBytes
	}

	program, err := load(j, cached)
	var failure loadError
	if errors.As(err, &failure) {
		err = harnessrt.Reply(j.Reply, map[string]string{"event": "load_failed", "message": failure.message})
	} else if err == nil {
		// From the job's arrival: a build is decoded as it arrives.
		err = replyLoaded(j.Reply, milliseconds(time.Since(arrived)), program, j.ReturnBuild)
		if err == nil && j.FunctionName != nil {
			err = serveFunction(program, limit)
		} else if err == nil {
			err = runProgram(program, j.Args, control, limit)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return exitHarnessError
	}
	return 0
}

// load makes the job's executable: from the job's build where it comes with one and
// loads, else by compiling its code. In program mode the job's files are written first:
// its .go files compile with the code, the others are the program's data, which a build
// does not hold.
func load(j job, cached *buildDecoder) (executable, error) {
	var goFiles []string
	if j.FunctionName == nil {
		var err error
		if goFiles, err = writeJobFiles(j.Files); err != nil {
			return executable{}, err
		}
	}
	if cached != nil {
		program, err := cached.executable()
		var failure loadError
		if !errors.As(err, &failure) {
			return program, err
		}
		// Not a build of this harness's (PROTOCOL.md, "Builds"): the code it came with
		// compiles as if none had come.
		fmt.Fprintln(os.Stderr, "harness:", failure.message)
		if cached.memory != nil {
			cached.memory.Close()
		}
	}
	files, err := prepare(j.Code, j.FunctionName, j.Imports)
	if err != nil {
		return executable{}, err
	}
	return build(files, goFiles)
}

// serveFunction executes the program built around the user's function in this process's
// place, which then serves every test (see harnessrt): descriptor 0 stays the control pipe,
// 1 and 2 become the capture files, and this process's stderr moves above them. It returns
// only if it cannot, with this process's stderr back in place.
func serveFunction(program executable, limit limits) error {
	harnessStderr, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 2, syscall.F_DUPFD, stderrFdFloor)
	if errno != 0 {
		return fmt.Errorf("cannot move the stderr: %v", errno)
	}
	stdout, err := captureFile("stdout")
	if err != nil {
		return err
	}
	stderr, err := captureFile("stderr")
	if err != nil {
		return err
	}
	args := []string{"solution", strconv.Itoa(limit.output), strconv.Itoa(limit.value), strconv.Itoa(int(harnessStderr))}
	err = syscall.Dup3(int(stdout.Fd()), 1, 0)
	if err == nil {
		err = syscall.Dup3(int(stderr.Fd()), 2, 0)
	}
	if err == nil {
		err = syscall.Exec(program.path(), args, programEnvironment(memoryLimit()))
	}
	syscall.Dup3(int(harnessStderr), 2, 0)
	return fmt.Errorf("cannot execute the program: %v", err)
}

// runProgram runs the user's whole program once per test line, the input as its stdin and
// the job's arguments after its name, until the end of the control pipe.
func runProgram(program executable, args []string, control *bufio.Reader, limit limits) error {
	stdinPath := filepath.Join(buildDir, "stdin")
	environment := programEnvironment(memoryLimit())
	for {
		line, readErr := control.ReadBytes('\n')
		if len(line) == 0 {
			if readErr != io.EOF {
				return fmt.Errorf("cannot read the control pipe: %v", readErr)
			}
			return nil
		}
		var test testLine
		if err := json.Unmarshal(line, &test); err != nil || test.Reply == "" {
			return fmt.Errorf("a test line that does not read (%v): %.200q", err, line)
		}
		event := programReply{Event: "test", Index: test.Index}
		var input string
		if err := json.Unmarshal(test.Input, &input); err != nil {
			event.Error = harnessrt.Cut("a program's input is its stdin, a string, not "+string(test.Input), limit.output)
		} else if err := runOnce(program, args, environment, stdinPath, input, limit, &event); err != nil {
			return err
		}
		// Where the program wrote to the path first, the supervisor took that as this test's
		// reply and closed it: ours is then dropped, and the next test still runs.
		_ = harnessrt.Reply(test.Reply, event)
		if readErr != nil {
			return nil
		}
	}
}

// runOnce runs the program on one input and fills in the test's reply.
func runOnce(program executable, args, environment []string, stdinPath, input string, limit limits, event *programReply) error {
	if err := os.WriteFile(stdinPath, []byte(input), 0o600); err != nil {
		return err
	}
	stdin, err := os.Open(stdinPath)
	if err != nil {
		return err
	}
	defer stdin.Close()
	// Files rather than pipes: the test is over when the program is, even if something
	// it started still holds its stdout.
	stdout, err := captureFile("stdout")
	if err != nil {
		return err
	}
	defer stdout.Close()
	stderr, err := captureFile("stderr")
	if err != nil {
		return err
	}
	defer stderr.Close()
	process := &exec.Cmd{
		Path:   program.path(),
		Args:   append([]string{"solution"}, args...),
		Env:    environment,
		Dir:    codeDir,
		Stdin:  stdin,
		Stdout: stdout,
		Stderr: stderr,
	}
	started := time.Now()
	err = process.Run()
	event.TimeMs = milliseconds(time.Since(started))
	var exited *exec.ExitError
	if errors.As(err, &exited) {
		event.Error = describeExit(exited.ProcessState)
	} else if err != nil {
		event.Error = "the program could not run: " + err.Error()
	}
	event.Output, event.StdoutBytes = takeCapture(stdout, limit.output)
	event.Stderr, event.StderrBytes = takeCapture(stderr, limit.output)
	if state := process.ProcessState; state != nil {
		event.MemoryKb = peakKB(state)
		if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Exited() {
			code := status.ExitStatus()
			event.ExitCode = &code
		}
	}
	return nil
}

// programReply is a test's reply in program mode: the program's stdout is its output.
type programReply struct {
	Event       string  `json:"event"`
	Index       int     `json:"index"`
	Output      string  `json:"output"`
	Stdout      string  `json:"stdout"`
	Stderr      string  `json:"stderr"`
	StdoutBytes int     `json:"stdout_bytes"`
	StderrBytes int     `json:"stderr_bytes"`
	TimeMs      float64 `json:"time_ms"`
	MemoryKb    int64   `json:"memory_kb"`
	Error       string  `json:"error,omitempty"`
	// The program's exit status where it exited (0 too), none where it was killed.
	ExitCode *int `json:"exit_code,omitempty"`
}

func describeExit(state *os.ProcessState) string {
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return fmt.Sprintf("the program was killed by signal %d (%v)", status.Signal(), status.Signal())
	}
	return fmt.Sprintf("the program exited with code %d", state.ExitCode())
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

// takeCapture is what a capture file holds, cut to the limit, and how many bytes that was.
func takeCapture(file *os.File, limit int) (string, int) {
	info, err := file.Stat()
	if err != nil {
		return "", 0
	}
	size := int(info.Size())
	// A character the limit splits is read whole, to be left out whole.
	kept := make([]byte, min(size, limit+utf8.UTFMax))
	n, _ := file.ReadAt(kept, 0)
	return harnessrt.Cut(string(kept[:n]), limit), size
}

func milliseconds(d time.Duration) float64 {
	return float64(d.Nanoseconds()) / 1e6
}
