int shout(int n, int m) {
    cout << string(n, 'x') << flush;
    cerr << string(m, 'y') << flush;
    return n;
}
