#include <cstdio>
#include <unistd.h>

int f(int n) {
    std::fclose(stdout);
    close(1);
    close(2);
    return n;
}
