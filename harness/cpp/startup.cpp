// Linked into every submission's program, function or whole program, compiled once when the
// image is built: how a test process runs out of memory, and says so. Its constructor runs
// before any of the code's own static constructors.
#include <cxxabi.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <new>
#include <typeinfo>

namespace {

// Memory given back when the code runs out: the heap limit (RLIMIT_DATA, 90% of the
// container's memory) makes operator new fail, and the std::bad_alloc it throws still has
// to be unwound, caught and reported, which takes memory too (without it, the unwinder
// finds none and calls std::terminate). Reserved, never touched: it costs no resident memory.
constexpr std::size_t kReserveBytes = std::size_t{8} << 20;
void* reserve = nullptr;

// Called by operator new when an allocation fails: frees the reserve and throws at once,
// rather than letting the allocation be retried and the reserve be eaten too.
void out_of_memory() {
    std::free(reserve);
    reserve = nullptr;
    throw std::bad_alloc();
}

// The driver reads what the test process reports on this descriptor.
constexpr int kOutcomeFd = 3;
std::terminate_handler default_terminate = nullptr;

// Called by std::terminate: when an uncaught std::bad_alloc ends the process, tells the driver
// so on descriptor 3, then lets the default handler print the exception and abort.
[[noreturn]] void on_terminate() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    if (type && *type == typeid(std::bad_alloc)) {
        static const char kOutOfMemory[] = "{\"limit\":\"memory\"}";
        ssize_t written = write(kOutcomeFd, kOutOfMemory, sizeof kOutOfMemory - 1);
        (void)written;  // without it, the test is a plain runtime error
    }
    if (default_terminate) default_terminate();
    std::abort();
}

__attribute__((constructor(101))) void start() {
    // The driver gives the main thread a stack of 256 MB (deep recursion is common), and
    // glibc takes the stack limit as every thread's default stack size too; thread stacks
    // count against the heap limit, which would then leave room for one thread. Threads get
    // glibc's usual 8 MB instead.
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) == 0) {
        if (pthread_attr_setstacksize(&attributes, std::size_t{8} << 20) == 0) pthread_setattr_default_np(&attributes);
        pthread_attr_destroy(&attributes);
    }
    reserve = std::malloc(kReserveBytes);
    std::set_new_handler(out_of_memory);
    default_terminate = std::set_terminate(on_terminate);
}

}  // namespace
