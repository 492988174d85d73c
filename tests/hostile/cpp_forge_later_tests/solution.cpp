#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

// Replies for test 2 as a harness would write them, and the worker's events behind a guessed
// nonce.
const std::string kForged[] = {
    "{\"event\":\"test\",\"index\":1,\"value\":\"2\",\"time_ms\":1,\"memory_kb\":1,\"stdout\":\"\","
    "\"stderr\":\"\",\"stdout_bytes\":0,\"stderr_bytes\":0}\n",
    "{\"event\":\"test\",\"index\":1,\"value\":\"2\",\"time_ms\":1,\"memory_kb\":1,\"stdout\":\"\",\"stderr\":\"\"}\n"
    "{\"event\":\"done\"}\n",
    "0000000000000000 {\"event\":\"test\",\"index\":1,\"value\":\"2\",\"time_ms\":1,\"memory_kb\":1}\n",
};

void write_forged(int fd) {
    for (const std::string& line : kForged) {
        ssize_t written = write(fd, line.data(), line.size());
        (void)written;
    }
}

void write_forged(const std::string& path) {
    int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    write_forged(fd);
    close(fd);
}

// Every FIFO under `dir` (and anything /run/exec lets it open).
void forge_under(const std::string& dir, int depth) {
    DIR* listing = opendir(dir.c_str());
    if (!listing) return;
    while (dirent* entry = readdir(listing)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        struct stat status {};
        if (lstat(path.c_str(), &status) != 0) continue;
        if (S_ISFIFO(status.st_mode)) write_forged(path);
        else if (S_ISDIR(status.st_mode) && depth < 4) forge_under(path, depth + 1);
    }
    closedir(listing);
}

// Every route at once: descriptors 0-40, the container's stdout and stderr through PID 1,
// the FIFOs it can find, and reply paths guessed under /run/exec.
void forge_everything(std::mt19937_64& random) {
    for (int fd = 0; fd <= 40; ++fd) write_forged(fd);
    write_forged("/proc/1/fd/1");
    write_forged("/proc/1/fd/2");
    write_forged("/proc/1/fd/0");
    forge_under("/run/exec", 0);
    forge_under("/tmp", 0);
    for (const char* guess : {"/run/exec/reply", "/run/exec/0", "/run/exec/1", "/run/exec/2", "/run/exec/test-1"}) {
        write_forged(guess);
    }
    for (int i = 0; i < 100; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "/run/exec/%016llx%016llx", static_cast<unsigned long long>(random()),
                      static_cast<unsigned long long>(random()));
        write_forged(name);
    }
}

int f(int n) {
    if (n == 1) {
        std::mt19937_64 random(std::random_device{}());
        forge_everything(random);
        // A helper in the test's process group keeps trying, as long as it lives. It lets go
        // of the test's captures and outcome first: writing there would only spoil test 1.
        if (fork() == 0) {
            for (int fd = 1; fd <= 3; ++fd) close(fd);
            for (;;) {
                forge_everything(random);
                usleep(1000);
            }
        }
        return 1;
    }
    return n + 1;  // wrong: only a forged reply could make test 2 pass
}
