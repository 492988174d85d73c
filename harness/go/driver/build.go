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
	// goroot is Debian's golang-go, whose standard library comes precompiled in
	// pkg/linux_amd64: calling the compiler and the linker directly on it skips the go
	// command and its cache, which would start empty in every sandbox.
	goroot = "/usr/lib/go"
	// packageDir holds harnessrt.a, compiled when the image was built.
	packageDir = "/opt/harness/pkg"
	// buildDir is where the program is built; /tmp is the sandbox's only writable place.
	buildDir = "/tmp/harness"
)

var toolDir = filepath.Join(goroot, "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH)

// mfdCloexec is memfd_create's MFD_CLOEXEC.
const mfdCloexec = 1

// executable is the built program, held in memory.
type executable struct{ file *os.File }

// path is where the program can be executed from, by this process and its children.
func (e executable) path() string {
	return fmt.Sprintf("/proc/self/fd/%d", e.file.Fd())
}

// build compiles and links the files into an executable in memory.
func build(files sources) (executable, error) {
	names := make([]string, 0, len(files))
	for name, text := range files {
		if err := writeBuildFile(name, text); err != nil {
			return executable{}, err
		}
		names = append(names, name)
	}
	// In a fixed order: it is the order of package initialization among the files.
	sort.Strings(names)
	compile := append([]string{"-p", "main", "-complete", "-pack", "-nolocalimports",
		"-I", packageDir, "-o", "main.a"}, names...)
	if err := tool("compile", compile...); err != nil {
		return executable{}, err
	}
	// -s -w: no symbol table and no DWARF, less than half the link time; stack traces
	// do not need them.
	if err := tool("link", "-s", "-w", "-L", packageDir, "-o", "solution", "main.a"); err != nil {
		return executable{}, err
	}
	return inMemory(filepath.Join(buildDir, "solution"))
}

// tool runs a Go tool in the build directory; its complaints are about the user's code.
func tool(name string, args ...string) error {
	command := exec.Command(filepath.Join(toolDir, name), args...)
	command.Dir = buildDir
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
	if err := writeBuildFile(userFile, []byte(text)); err != nil {
		return err
	}
	if err := tool("compile", "-p", "main", "-o", "check.a", userFile); err != nil {
		return err
	}
	return loadError{parseError.Error()}
}

func writeBuildFile(name string, text []byte) error {
	if err := os.MkdirAll(buildDir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(buildDir, name), text, 0o600)
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
