package main

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
	"unsafe"
)

const ipcCreat = 0o1000

// holderVariable marks the copy of this program that plant starts to hold memory: the
// harness's main never runs in it.
const holderVariable = "PLANTED_MEMORY_HOLDER"

// listener stays referenced, so that no finalizer closes it.
var listener net.Listener

func init() {
	if os.Getenv(holderVariable) == "" {
		return
	}
	block := make([]byte, 100<<20)
	for i := 0; i < len(block); i += 4096 {
		block[i] = 1
	}
	time.Sleep(120 * time.Second)
	block[0] = 2
	os.Exit(0)
}

// plant leaves behind everything a later submission in the same sandbox could find.
// Errors are ignored: whatever could be planted is.
func plant(_ int) string {
	os.MkdirAll("/tmp/dir/deeper", 0o755)
	for _, path := range []string{"/tmp/planted", "/tmp/dir/file", "/tmp/dir/deeper/file", "/tmp/.hidden"} {
		os.WriteFile(path, []byte("planted"), 0o644)
	}
	os.Symlink("/etc/passwd", "/tmp/link")
	os.Symlink("/tmp", "/tmp/dir/loop")
	syscall.Mkfifo("/tmp/fifo", 0o666)
	os.Chmod("/tmp/dir", 0o500) // a directory its owner cannot write, to be removed anyway
	for _, key := range []uintptr{0x5eed, 0x5eee} {
		syscall.Syscall(syscall.SYS_SHMGET, key, 1<<20, ipcCreat|0o666)
	}
	syscall.Syscall(syscall.SYS_SEMGET, 0x5eed, 1, ipcCreat|0o666)
	syscall.Syscall(syscall.SYS_MSGGET, 0x5eed, ipcCreat|0o666, 0)
	name := []byte("planted\x00")
	syscall.Syscall6(syscall.SYS_MQ_OPEN, uintptr(unsafe.Pointer(&name[0])),
		uintptr(os.O_CREATE|os.O_RDWR), 0o666, 0, 0, 0) // refused by seccomp
	listener, _ = net.Listen("unix", "@planted") // "\0planted", abstract
	// Processes that would outlive it: sessions of their own, one holding memory (a copy
	// of this program, which init keeps), many.
	session := &syscall.SysProcAttr{Setsid: true}
	holder := exec.Command("/proc/self/exe")
	holder.Env = append(os.Environ(), holderVariable+"=1")
	holder.SysProcAttr = session
	holder.Start()
	for i := 0; i < 15; i++ {
		sleeper := exec.Command("sleep", "120")
		sleeper.SysProcAttr = session
		sleeper.Start()
	}
	os.Setenv("PLANTED", "1")
	os.Chdir("/tmp/dir")
	return "planted"
}
