#include <nlohmann/json.hpp>

using json = nlohmann::json;

json verdict(bool passed, const string& message, double score) {
    return {{"passed", passed}, {"message", message}, {"score", score}};
}

// input is [nums, target]; actual_output the solution's value.
json check(json input, string expected_output, json actual_output) {
    const json& nums = input[0];
    long long target = input[1].get<long long>();
    if (expected_output == "none") {
        bool passed = actual_output.is_array() && actual_output.empty();
        return verdict(passed, passed ? "no pair, as expected" : "expected no pair", passed ? 1 : 0);
    }
    bool valid = actual_output.is_array() && actual_output.size() == 2 && actual_output[0].is_number_integer() &&
                 actual_output[1].is_number_integer();
    if (valid) {
        long long i = actual_output[0].get<long long>(), j = actual_output[1].get<long long>();
        long long n = (long long)nums.size();
        valid = i != j && i >= 0 && j >= 0 && i < n && j < n &&
                nums[i].get<long long>() + nums[j].get<long long>() == target;
    }
    if (valid && expected_output == "half") return verdict(true, "half marks", 0.5);
    return verdict(valid, valid ? "a valid pair" : "not a pair with the sum", valid ? 1 : 0);
}
