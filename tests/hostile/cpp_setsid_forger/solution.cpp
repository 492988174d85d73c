#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

// A forged reply for test 2, as the supervisor would take it from a harness.
const std::string kForged =
    "{\"event\":\"test\",\"index\":1,\"value\":\"2\",\"time_ms\":1,\"memory_kb\":1,\"stdout\":\"\","
    "\"stderr\":\"\",\"stdout_bytes\":0,\"stderr_bytes\":0}\n";

void write_forged(int fd) {
    ssize_t written = write(fd, kForged.data(), kForged.size());
    (void)written;
}

// Every FIFO under `dir` that can be opened for writing gets the forged reply.
void forge_fifos(const std::string& dir, int depth) {
    DIR* listing = opendir(dir.c_str());
    if (!listing) return;
    while (dirent* entry = readdir(listing)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        struct stat status {};
        if (lstat(path.c_str(), &status) != 0) continue;
        if (S_ISFIFO(status.st_mode)) {
            int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0) {
                write_forged(fd);
                close(fd);
            }
        } else if (S_ISDIR(status.st_mode) && depth < 4) {
            forge_fifos(path, depth + 1);
        }
    }
    closedir(listing);
}

// Kills every process it can but itself, its test's process and the harness: killing the
// harness or its own test would only end test 1 (cpp_kill_all), which this case is not about.
void kill_others(pid_t harness, pid_t test) {
    DIR* proc = opendir("/proc");
    if (!proc) return;
    while (dirent* entry = readdir(proc)) {
        pid_t pid = std::atoi(entry->d_name);
        if (pid > 0 && pid != getpid() && pid != harness && pid != test) kill(pid, SIGKILL);
    }
    closedir(proc);
}

int f(int n) {
    if (n == 1) {
        pid_t harness = getppid(), test = getpid();
        if (fork() == 0) {
            setsid();
            // Descriptors 1-3 are test 1's own captures and outcome: writing there would only
            // misreport test 1. Every other descriptor it inherited is tried below.
            for (int fd = 1; fd <= 3; ++fd) close(fd);
            auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (std::chrono::steady_clock::now() < end) {
                for (const char* dir : {"/run/exec", "/tmp"}) forge_fifos(dir, 0);
                for (int fd = 0; fd <= 40; ++fd) write_forged(fd);
                kill_others(harness, test);
                usleep(1000);
            }
            _exit(0);
        }
        return 1;
    }
    volatile unsigned long spins = 0;
    while (true) ++spins;
}
