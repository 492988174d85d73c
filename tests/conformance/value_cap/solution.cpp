string repeatA(int n) {
    return string(n, 'a');
}
