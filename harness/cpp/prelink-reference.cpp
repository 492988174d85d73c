// A whole program as test programs usually are, for prelink.sh: the library members it
// needs are prelinked into every test program.
#include <bits/stdc++.h>

int main() {
    std::ios::sync_with_stdio(false);
    std::vector<long long> values;
    for (std::string word; std::cin >> word;) values.push_back(std::stoll(word));
    std::sort(values.begin(), values.end());
    std::string line;
    std::getline(std::cin, line);
    std::cout << std::accumulate(values.begin(), values.end(), 0LL) << ' ' << std::fixed << std::setprecision(3)
              << std::sqrt(2.0) << ' ' << std::to_string(values.size()) << std::endl;
    std::cerr << line << '\n';
    int number = 0;
    if (std::scanf("%d", &number) == 1) std::printf("%d %s\n", number, line.c_str());
    std::puts("");
}
