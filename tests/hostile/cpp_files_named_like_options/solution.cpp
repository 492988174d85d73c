#include <cstdio>
#include "harness.hpp"

int answer();

int main(int argc, char** argv) {
    std::printf("%d %s %s\n", answer() + offset(), argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
}
