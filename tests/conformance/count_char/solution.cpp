int countChar(const string& s, char c) {
    return count(s.begin(), s.end(), c);
}
