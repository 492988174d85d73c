#include <algorithm>
#include <iostream>
#include <vector>

int main() {
    std::vector<long long> values;
    for (long long value; std::cin >> value;) values.push_back(value);
    std::sort(values.begin(), values.end());
    for (std::size_t i = 0; i < values.size(); i++) std::cout << (i ? " " : "") << values[i];
    std::cout << "\n";
    return 0;
}
