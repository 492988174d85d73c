vector<int> pair_with_sum(vector<int>& nums, int target) {
    unordered_map<long long, int> first;  // value -> its first index
    for (int j = 0; j < (int)nums.size(); j++) {
        auto it = first.find((long long)target - nums[j]);
        if (it != first.end()) return {it->second, j};
        first.emplace(nums[j], j);
    }
    return {};
}
