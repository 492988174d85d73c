// The widest integers the harness returns as JSON numbers: unsigned long long, up to 2^64 - 1.
unsigned long long f(int which) {
    switch (which) {
        case 63: return 1ULL << 63;              // 2^63 = 9223372036854775808
        case 64: return ~0ULL;                   // 2^64 - 1 = 18446744073709551615
        default: return (1ULL << 63) - 1;        // 2^63 - 1 = 9223372036854775807
    }
}
