int checkPositive(int n) {
    if (n < 0) throw invalid_argument("negative");
    return n;
}
