#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

// What runtimes print when they run out of memory, printed by code that has plenty.
void print_oom_texts() {
    std::fputs("out of memory\n"
               "terminate called after throwing an instance of 'std::bad_alloc'\n"
               "  what():  std::bad_alloc\n"
               "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"
               "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
               "MemoryError\n"
               "fatal error: runtime: out of memory\n",
               stderr);
    std::fflush(stderr);
}

int f(int n) {
    if (n == 6) return n;
    print_oom_texts();
    switch (n) {
        case 1: raise(SIGKILL);  // as the OOM killer would
        case 2: std::abort();    // as std::terminate does
        case 3: std::exit(3);
        case 4: _exit(137);      // as a shell reports a SIGKILL
        default: throw std::runtime_error("std::bad_alloc: out of memory");
    }
}
