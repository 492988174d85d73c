package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"unsafe"
)

const (
	// goroot is Debian's golang-1.23-go. Its standard library was compiled and installed
	// into pkg/linux_amd64 when the image was built (see the Dockerfile): calling the
	// compiler and the linker directly on it skips the go command and its cache, which
	// would start empty in every sandbox.
	goroot = "/usr/lib/go-1.23"
	// packageDir holds harnessrt.a, compiled when the image was built.
	packageDir = "/opt/harness/pkg"
	// buildDir holds the harness's own files: what the compiler and the linker make, the
	// generated main, a test's stdin and the capture files. /tmp is the sandbox's only
	// writable place.
	buildDir = "/tmp/harness"
	// codeDir is the code's directory: the job's files are written there, the code is
	// compiled there (as solution.go), and a program runs there.
	codeDir = "/tmp/code"
	// entryFile is the generated main's name, in buildDir.
	entryFile = "harness_main.go"
)

var (
	platform = runtime.GOOS + "_" + runtime.GOARCH
	toolDir  = filepath.Join(goroot, "pkg", "tool", platform)
	stdDir   = filepath.Join(goroot, "pkg", platform)
)

// mfdCloexec is memfd_create's MFD_CLOEXEC.
const mfdCloexec = 1

// executable is the built program, held in memory.
type executable struct{ file *os.File }

// path is where the program can be executed from, by this process and its children.
func (e executable) path() string {
	return fmt.Sprintf("/proc/self/fd/%d", e.file.Fd())
}

// build compiles and links the code, the generated main where there is one, and the job's
// .go files (already in codeDir) into an executable in memory.
func build(files sources, jobGoFiles []string) (executable, error) {
	if err := writeFile(codeDir, userFile, files[userFile]); err != nil {
		return executable{}, err
	}
	// Only while it compiles: a program then finds in its directory the job's files alone,
	// as it does when it runs from a build, which compiles nothing.
	defer os.Remove(filepath.Join(codeDir, userFile))
	compile := []string{"-p", "main", "-complete", "-pack", "-nolocalimports",
		// The job's files are named in stack traces as in messages, without the directory.
		"-trimpath", codeDir,
		"-I", packageDir, "-I", stdDir, "-o", filepath.Join(buildDir, "main.a"),
		// No file name is taken for a flag.
		"--"}
	// In a fixed order: it is the order of package initialization among the files.
	if entry, ok := files[entryFile]; ok {
		if err := writeFile(buildDir, entryFile, entry); err != nil {
			return executable{}, err
		}
		compile = append(compile, filepath.Join(buildDir, entryFile))
	}
	names := append([]string{userFile}, jobGoFiles...)
	sort.Strings(names)
	if err := tool("compile", append(compile, names...)...); err != nil {
		return executable{}, err
	}
	// -s -w: no symbol table and no DWARF, less than half the link time; stack traces
	// do not need them.
	linked := filepath.Join(buildDir, "solution")
	if err := tool("link", "-s", "-w", "-L", packageDir, "-L", stdDir, "-o", linked, filepath.Join(buildDir, "main.a")); err != nil {
		return executable{}, err
	}
	return inMemory(linked)
}

// tool runs a Go tool in the code's directory, so that its messages name the job's files as
// they were sent; its complaints are about the user's code.
func tool(name string, args ...string) error {
	command := exec.Command(filepath.Join(toolDir, name), args...)
	command.Dir = codeDir
	output, err := command.CombinedOutput()
	if err == nil {
		return nil
	}
	if _, exited := err.(*exec.ExitError); !exited {
		return err
	}
	return loadError{strings.TrimSpace(string(output))}
}

// compilerMessage is what the compiler says of a file that go/parser rejected, so the user
// reads the compiler's words; the parser's error stands in if the compiler accepts it.
func compilerMessage(text string, parseError error) error {
	if err := writeFile(codeDir, userFile, []byte(text)); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(codeDir, userFile))
	if err := tool("compile", "-p", "main", "-o", filepath.Join(buildDir, "check.a"), "--", userFile); err != nil {
		return err
	}
	return loadError{parseError.Error()}
}

// writeFile writes a file in one of the harness's directories, which it makes first.
func writeFile(dir, name string, text []byte) error {
	if err := makeDirs(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), text, 0o600)
}

// makeDirs makes the build directory and the code's directory.
func makeDirs() error {
	for _, dir := range []string{buildDir, codeDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// inMemory moves the executable into memory (see memoryFile).
func inMemory(path string) (executable, error) {
	memory, err := memoryFile()
	if err != nil {
		return executable{}, err
	}
	linked, err := os.Open(path)
	if err != nil {
		return executable{}, err
	}
	defer linked.Close()
	if _, err := io.Copy(memory, linked); err != nil {
		return executable{}, err
	}
	// The tmpfs is small; the copy in memory is the one that runs.
	os.Remove(path)
	return executable{memory}, nil
}

// memoryFile is a new memfd to hold the executable: /tmp may be mounted noexec (Docker
// adds noexec to a --tmpfs mount unless its options say exec).
func memoryFile() (*os.File, error) {
	name := []byte("solution\x00")
	fd, _, errno := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(&name[0])), mfdCloexec, 0)
	if errno != 0 {
		return nil, fmt.Errorf("memfd_create: %v", errno)
	}
	// Above descriptors 0-2, which are replaced in a child (program mode) or in this
	// process (function mode) before /proc/self/fd/N is executed.
	high, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 10)
	syscall.Close(int(fd))
	if errno != 0 {
		return nil, fmt.Errorf("fcntl: %v", errno)
	}
	return os.NewFile(high, "solution"), nil
}
