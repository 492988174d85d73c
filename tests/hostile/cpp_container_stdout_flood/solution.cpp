#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

const std::size_t kFloodBytes = std::size_t{40} << 20;

// Writes 40 MB without a newline; the error of the first failed open or write, or 0.
int flood(int fd) {
    const std::string chunk(1 << 20, 'x');
    for (std::size_t done = 0; done < kFloodBytes; done += chunk.size()) {
        if (write(fd, chunk.data(), chunk.size()) < 0) return errno;
    }
    return 0;
}

int flood(const char* path) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int error = flood(fd);
    close(fd);
    return error;
}

bool denied(int error) { return error == EACCES || error == EPERM; }

bool f(int n) {
    if (n == 1) {
        // The container's stdout and stderr, through PID 1, the supervisor: not this uid's.
        bool out = denied(flood("/proc/1/fd/1"));
        bool err = denied(flood("/proc/1/fd/2"));
        return out && err;
    }
    if (n == 2) {
        // Its own stdout and stderr, far past the output limit (and the file size limit: the
        // writes past it fail instead of ending the process).
        signal(SIGXFSZ, SIG_IGN);
        flood(STDOUT_FILENO);
        flood(STDERR_FILENO);
    }
    return true;
}
