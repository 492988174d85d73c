// C++20 throughout: a concept, std::span, ranges and views, designated initializers, a
// defaulted <=> and std::set::contains. A C++17 compiler rejects it.
template <class T>
concept Number = std::integral<T> && std::signed_integral<T>;

struct Stats {
    long long min;
    long long max;
    long long distinct;
    long long even_squares;
    auto operator<=>(const Stats&) const = default;
};

template <Number T>
Stats summarize(std::span<const T> values) {
    std::vector<T> sorted(values.begin(), values.end());
    std::ranges::sort(sorted);
    std::set<T> seen;
    for (T value : sorted) {
        if (!seen.contains(value)) seen.insert(value);
    }
    auto even_squares = values | std::views::filter([](T v) { return v % 2 == 0; }) |
                        std::views::transform([](T v) { return static_cast<long long>(v) * v; });
    long long sum = 0;
    for (long long square : even_squares) sum += square;
    return {.min = sorted.front(), .max = sorted.back(), .distinct = static_cast<long long>(seen.size()),
            .even_squares = sum};
}

vector<long long> stats(vector<int>& nums) {
    Stats result = summarize(std::span<const int>(nums));
    static_assert(Stats{.min = 1} < Stats{.min = 2});
    return {result.min, result.max, result.distinct, result.even_squares};
}
