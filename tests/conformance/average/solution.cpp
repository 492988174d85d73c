double average(vector<double>& nums) {
    double sum = 0;
    for (double n : nums) sum += n;
    return sum / nums.size();
}
