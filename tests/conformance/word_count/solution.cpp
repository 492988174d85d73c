map<string, int> wordCount(vector<string>& words) {
    map<string, int> counts;
    for (const string& w : words) counts[w]++;
    return counts;
}
