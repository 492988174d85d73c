#include <fstream>
#include <iostream>
#include <string>

#include "helper.h"

int main(int argc, char* argv[]) {
    long long n = 0;
    std::cin >> n;
    std::cout << "args: " << argc - 1 << "\n";
    for (int i = 1; i < argc; ++i) std::cout << argv[i] << "\n";
    std::cout << "twice: " << twice(n) << "\n";
    std::ifstream data("data.txt");
    std::string line;
    std::getline(data, line);
    std::cout << "data: " << line << "\n";
    return 0;
}
