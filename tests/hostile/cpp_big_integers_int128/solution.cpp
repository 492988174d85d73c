#include <iostream>
#include <string>

// Prints an unsigned __int128, the widest integer g++ has, in decimal.
std::string decimal(unsigned __int128 value) {
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    } while (value != 0);
    return digits;
}

int main() {
    std::string which;
    std::cin >> which;
    unsigned __int128 ten30 = 1;
    for (int i = 0; i < 30; ++i) ten30 *= 10;
    unsigned __int128 value = which == "2^63"    ? static_cast<unsigned __int128>(1) << 63
                              : which == "2^64"  ? static_cast<unsigned __int128>(1) << 64
                              : which == "2^64-1" ? (static_cast<unsigned __int128>(1) << 64) - 1
                              : which == "10^30" ? ten30
                                                 : ten30 + 1;
    std::cout << decimal(value) << "\n";
}
