vector<double> thirds(int n) {
    return {2.0 * n / 3, n / 3.0};
}
