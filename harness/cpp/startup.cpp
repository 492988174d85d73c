// Linked into every submission's program, function or whole program, compiled once when the
// image is built. Its constructor runs before any of the code's own static constructors.
#include <pthread.h>

#include <cstdlib>
#include <new>

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
}

}  // namespace
