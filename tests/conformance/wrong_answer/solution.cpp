int addNumbers(int a, int b) {
    return a - b;
}
