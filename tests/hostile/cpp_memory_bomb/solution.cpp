#include <cstring>
#include <vector>

// Kept where the compiler cannot prove them unused, so that no allocation is elided.
std::vector<char*> blocks;

int f(int n) {
    if (n == 1) {
        const std::size_t size = std::size_t{64} << 20;
        while (true) {
            char* block = new char[size];
            std::memset(block, n, size);  // touched: resident, not just reserved
            blocks.push_back(block);
        }
    }
    return n;
}
