// Leaves behind everything a later submission in the same sandbox could find (plant.py's
// counterpart): files, a link and a FIFO in /tmp, SysV IPC objects, a POSIX message queue
// (refused by seccomp), an abstract socket, processes in sessions of their own (one holding
// memory) that keep the socket, its environment and its working directory.
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace planter {

void write_file(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    ssize_t written = write(fd, "planted", 7);
    (void)written;
    close(fd);
}

// In a forked child: a session of its own, no descriptor of the test's but the listener.
void detach(int keep) {
    setsid();
    for (int fd = 3; fd < 1024; ++fd)
        if (fd != keep) close(fd);
}

}  // namespace planter

std::string plant(int) {
    using namespace planter;
    mkdir("/tmp/dir", 0755);
    mkdir("/tmp/dir/deeper", 0755);
    for (const char* path : {"/tmp/planted", "/tmp/dir/file", "/tmp/dir/deeper/file", "/tmp/.hidden"})
        write_file(path);
    symlink("/etc/passwd", "/tmp/link");
    symlink("/tmp", "/tmp/dir/loop");
    mkfifo("/tmp/fifo", 0644);
    chmod("/tmp/dir", 0500);  // a directory its owner cannot write, to be removed anyway
    for (key_t key : {0x5eed, 0x5eee}) shmget(key, 1 << 20, IPC_CREAT | 0666);
    semget(0x5eed, 1, IPC_CREAT | 0666);
    msgget(0x5eed, IPC_CREAT | 0666);
    syscall(SYS_mq_open, "planted", O_CREAT | O_RDWR, 0666, nullptr);  // refused by seccomp

    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, "\0planted", 8);
    if (listener >= 0) {
        bind(listener, reinterpret_cast<sockaddr*>(&address), offsetof(sockaddr_un, sun_path) + 8);
        listen(listener, 8);
    }

    // Processes that would outlive it: one holding memory, many sleeping, each in a session
    // of its own and holding the listening socket.
    if (fork() == 0) {
        detach(listener);
        std::size_t size = std::size_t{100} << 20;
        void* block = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (block != MAP_FAILED) std::memset(block, 1, size);
        sleep(120);
        _exit(0);
    }
    for (int i = 0; i < 20; ++i) {
        if (fork() == 0) {
            detach(listener);
            execl("/usr/bin/sleep", "sleep", "120", static_cast<char*>(nullptr));
            execlp("sleep", "sleep", "120", static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    setenv("PLANTED", "1", 1);
    if (chdir("/tmp/dir") != 0) {
    }
    return "planted";
}
