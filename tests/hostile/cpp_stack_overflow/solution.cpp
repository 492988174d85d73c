// Recursion without end. Each frame holds a volatile array, written and read after the call,
// so the compiler can neither drop the frames nor turn the recursion into a loop.
int dive(int depth) {
    volatile char frame[1024];
    frame[depth % 1024] = static_cast<char>(depth);
    return dive(depth + 1) + frame[depth % 1024];
}

int f(int n) {
    if (n == 1) return dive(0);
    return n;
}
