#include <cstdio>
#include <string>

// Bytes that are not UTF-8, printed and returned.
std::string f(int n) {
    if (n != 1) return "ok";
    std::fputs("\xff\xfe", stdout);
    std::fflush(stdout);
    return std::string("\xff\xfe");
}
