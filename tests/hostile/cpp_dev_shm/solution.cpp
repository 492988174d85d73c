#include <fcntl.h>
#include <unistd.h>

// Whether a file can be created and written at `path`.
bool writable(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool wrote = write(fd, "x", 1) == 1;
    close(fd);
    unlink(path);
    return wrote;
}

// True when neither /dev/shm nor /dev/mqueue takes a file: there is no shared memory to
// pass anything through to a later test or another sandbox.
bool f() { return !writable("/dev/shm/x") && !writable("/dev/mqueue/x"); }
