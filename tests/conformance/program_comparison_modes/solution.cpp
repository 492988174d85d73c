#include <cstdio>
#include <initializer_list>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    for (int i = 1; i <= n; i++) std::printf(i > 1 ? " %d" : "%d", i);
    std::printf("   \n");
    for (const char* line : {"c", "b", "a"}) std::printf("%s\n", line);
    std::printf("%.6f\n", 1.0 / 3);
}
