long long addLongs(long long a, long long b) {
    return a + b;
}
