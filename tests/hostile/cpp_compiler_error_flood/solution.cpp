#include <iostream>
#include <map>
#include <string>
#include <vector>

// A type whose name doubles and more at each level: Deep<4> is spelled in over 10 KB.
template <int N>
struct Deep {
    using type = std::map<typename Deep<N - 1>::type, std::vector<typename Deep<N - 1>::type>>;
};
template <>
struct Deep<0> {
    using type = std::string;
};

// Each line is an error with hundreds of candidate operator<< overloads, each named with the
// whole type: megabytes of diagnostics.
int f(int n) {
    Deep<4>::type value;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    std::cout << value << n;
    return n;
}
