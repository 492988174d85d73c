// A testlib-style checker: reads the test's input, the expected output and the actual output,
// each as a line holding its length in bytes and then exactly that many bytes and a newline;
// answers by its exit code (0 ok, 1 wrong answer, 2 presentation error, 7 points).
#include <algorithm>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

std::string read_text() {
    std::string length;
    std::getline(std::cin, length);
    std::string text(std::stoul(length), '\0');
    std::cin.read(text.data(), static_cast<std::streamsize>(text.size()));
    std::cin.get();  // the newline after the text
    return text;
}

// The text's whitespace-separated tokens as integers; false when one is not an integer.
bool integers(const std::string& text, std::vector<long long>& values) {
    std::istringstream tokens(text);
    for (std::string token; tokens >> token;) {
        std::size_t used = 0;
        try {
            values.push_back(std::stoll(token, &used));
        } catch (const std::exception&) {
            return false;
        }
        if (used != token.size()) return false;
    }
    return true;
}

std::string trimmed(const std::string& text) {
    std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return "";
    return text.substr(start, text.find_last_not_of(" \t\r\n") - start + 1);
}

int main() {
    std::string input = read_text(), expected = trimmed(read_text()), actual = read_text();
    std::vector<long long> given, answer;
    integers(input, given);
    bool numbers = integers(actual, answer);
    std::vector<long long> sorted_given = given, sorted_answer = answer;
    std::sort(sorted_given.begin(), sorted_given.end());
    std::sort(sorted_answer.begin(), sorted_answer.end());
    if (!numbers || sorted_given != sorted_answer) {
        std::cout << "wrong numbers\n";
        return 2;
    }
    bool in_order = expected == "descending" ? std::is_sorted(answer.begin(), answer.end(), std::greater<>())
                                             : std::is_sorted(answer.begin(), answer.end());
    if (!in_order) {
        std::cout << "not sorted\n";
        return 1;
    }
    if (expected == "partial") {
        std::cout << "0.5\npartial\n";
        return 7;
    }
    std::cout << "ok\n";
    return 0;
}
