// Linked into every function-mode test binary, compiled once when the image is built: what
// harness.hpp declares and need not be a template, JSON in and out through nlohmann/json,
// and the run of one test.
#include "harness.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <queue>
#include <typeinfo>

#include <nlohmann/json.hpp>

namespace harness {
namespace {

using nlohmann::json;

// The driver reads the test's outcome from this descriptor.
constexpr int kOutcomeFd = 3;

Json from_nlohmann(const json& value) {
    switch (value.type()) {
        case json::value_t::boolean: return Json::from_bool(value.get<bool>());
        case json::value_t::number_integer: return Json::from_integer(value.get<long long>());
        case json::value_t::number_unsigned: return Json::from_unsigned(value.get<unsigned long long>());
        case json::value_t::number_float: return Json::from_double(value.get<double>());
        case json::value_t::string: return Json::from_string(value.get<std::string>());
        case json::value_t::array: {
            Json array = Json::new_array();
            array.items.reserve(value.size());
            for (const json& item : value) array.items.push_back(from_nlohmann(item));
            return array;
        }
        case json::value_t::object: {
            Json object = Json::new_object();
            for (const auto& [key, item] : value.items()) {
                object.keys.push_back(key);
                object.items.push_back(from_nlohmann(item));
            }
            return object;
        }
        default: return Json{};  // null (binary and discarded values do not come from parsing text)
    }
}

json to_nlohmann(const Json& value) {
    switch (value.kind) {
        case Json::Kind::Null: return nullptr;
        case Json::Kind::Boolean: return value.flag;
        case Json::Kind::Integer: return value.integer;
        case Json::Kind::Unsigned: return value.big;
        case Json::Kind::Float: return value.number;
        case Json::Kind::String: return value.text;
        case Json::Kind::Array: {
            json array = json::array();
            for (const Json& item : value.items) array.push_back(to_nlohmann(item));
            return array;
        }
        case Json::Kind::Object: {
            json object = json::object();
            for (std::size_t i = 0; i < value.keys.size(); ++i) object[value.keys[i]] = to_nlohmann(value.items[i]);
            return object;
        }
    }
    return nullptr;
}

// Invalid UTF-8 in a string (the code's own bytes) becomes U+FFFD instead of an exception.
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

Json of_kind(Json::Kind kind) {
    Json json;
    json.kind = kind;
    return json;
}

std::string demangle(const char* name) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> readable(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    std::string text = status == 0 ? readable.get() : name;
    // libstdc++'s inline namespace says nothing to the reader.
    for (std::size_t at; (at = text.find("__cxx11::")) != std::string::npos;) text.erase(at, 9);
    return text;
}

// The exception being handled, in C++'s words: `std::invalid_argument: negative`.
std::string describe_current_exception() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    std::string type_name = type ? demangle(type->name()) : "unknown";
    try {
        throw;
    } catch (const std::exception& error) {
        return type_name + ": " + error.what();
    } catch (const std::string& message) {
        return "std::string: " + message;
    } catch (const char* message) {
        return std::string("const char*: ") + message;
    } catch (...) {
        return "an exception of type " + type_name;
    }
}

std::string read_all(int fd) {
    std::string text;
    char buffer[1 << 16];
    for (ssize_t count; (count = read(fd, buffer, sizeof buffer)) != 0;) {
        if (count > 0) text.append(buffer, static_cast<std::size_t>(count));
        else if (errno != EINTR) break;
    }
    return text;
}

void write_all(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        ssize_t count = write(fd, text.data() + done, text.size() - done);
        if (count > 0) done += static_cast<std::size_t>(count);
        else if (errno != EINTR) return;
    }
}

}  // namespace

Json::Json() = default;
Json::Json(const Json&) = default;
Json::Json(Json&&) noexcept = default;
Json& Json::operator=(const Json&) = default;
Json& Json::operator=(Json&&) noexcept = default;
Json::~Json() = default;

Json Json::from_bool(bool value) {
    Json json = of_kind(Kind::Boolean);
    json.flag = value;
    return json;
}

Json Json::from_integer(long long value) {
    Json json = of_kind(Kind::Integer);
    json.integer = value;
    return json;
}

Json Json::from_unsigned(unsigned long long value) {
    if (value <= static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
        return from_integer(static_cast<long long>(value));
    }
    Json json = of_kind(Kind::Unsigned);
    json.big = value;
    return json;
}

Json Json::from_double(double value) {
    if (!std::isfinite(value)) return Json{};
    Json json = of_kind(Kind::Float);
    json.number = value;
    return json;
}

Json Json::from_float(float value) {
    if (!std::isfinite(value)) return Json{};
    // The shortest text that reads back as this float, read as a double.
    char text[32];
    *std::to_chars(text, text + sizeof text - 1, value).ptr = '\0';
    return from_double(std::strtod(text, nullptr));
}

Json Json::from_string(std::string value) {
    Json json = of_kind(Kind::String);
    json.text = std::move(value);
    return json;
}

Json Json::new_array() { return of_kind(Kind::Array); }

Json Json::new_object() { return of_kind(Kind::Object); }

Json parse_json(const std::string& text) { return from_nlohmann(json::parse(text)); }

std::string dump_json(const Json& value) { return dump(to_nlohmann(value)); }

ConversionError::ConversionError(const std::string& expected, const Json& got) {
    constexpr std::size_t kPreviewBytes = 60;
    std::string preview = dump_json(got);
    if (preview.size() > kPreviewBytes) preview = preview.substr(0, kPreviewBytes) + "...";
    message = expected + ", got " + preview;
}

void ConversionError::add_index(std::size_t index) { where = "[" + std::to_string(index) + "]" + where; }

void ConversionError::add_key(const std::string& key) { where = "[" + dump_json(Json::from_string(key)) + "]" + where; }

long long read_signed(const Json& json, long long min, long long max, const char* type) {
    switch (json.kind) {
        case Json::Kind::Integer:
            if (json.integer >= min && json.integer <= max) return json.integer;
            break;
        case Json::Kind::Unsigned:
            break;
        case Json::Kind::Float:
            if (std::trunc(json.number) != json.number) throw ConversionError("expected an integer", json);
            // Powers of two, min and max + 1 are exact as doubles where max is not.
            if (json.number >= static_cast<double>(min) && json.number < static_cast<double>(max) + 1.0) {
                return static_cast<long long>(json.number);
            }
            break;
        default:
            throw ConversionError("expected an integer", json);
    }
    throw ConversionError(std::string("expected an integer in the range of ") + type, json);
}

unsigned long long read_unsigned(const Json& json, unsigned long long max, const char* type) {
    switch (json.kind) {
        case Json::Kind::Integer:
            if (json.integer >= 0 && static_cast<unsigned long long>(json.integer) <= max) return json.integer;
            break;
        case Json::Kind::Unsigned:
            if (json.big <= max) return json.big;
            break;
        case Json::Kind::Float:
            if (std::trunc(json.number) != json.number) throw ConversionError("expected an integer", json);
            if (json.number >= 0 && json.number < static_cast<double>(max) + 1.0) {
                return static_cast<unsigned long long>(json.number);
            }
            break;
        default:
            throw ConversionError("expected an integer", json);
    }
    throw ConversionError(std::string("expected an integer in the range of ") + type, json);
}

double read_number(const Json& json) {
    switch (json.kind) {
        case Json::Kind::Integer: return static_cast<double>(json.integer);
        case Json::Kind::Unsigned: return static_cast<double>(json.big);
        case Json::Kind::Float: return json.number;
        default: throw ConversionError("expected a number", json);
    }
}

std::string Codec<bool>::name() { return "bool"; }

bool Codec<bool>::read(const Json& json) {
    if (json.kind != Json::Kind::Boolean) throw ConversionError("expected true or false", json);
    return json.flag;
}

Json Codec<bool>::write(bool value) { return Json::from_bool(value); }

std::string Codec<char>::name() { return "char"; }

char Codec<char>::read(const Json& json) {
    if (json.kind != Json::Kind::String || json.text.size() != 1) {
        throw ConversionError("expected a one-character string", json);
    }
    return json.text[0];
}

Json Codec<char>::write(char value) { return Json::from_string(std::string(1, value)); }

std::string Codec<std::string>::name() { return "string"; }

std::string Codec<std::string>::read(const Json& json) {
    if (json.kind != Json::Kind::String) throw ConversionError("expected a string", json);
    return json.text;
}

Json Codec<std::string>::write(const std::string& value) { return Json::from_string(value); }

std::string Codec<ListNode*>::name() { return "ListNode*"; }

ListNode* Codec<ListNode*>::read(const Json& json) {
    if (json.kind == Json::Kind::Null) return nullptr;
    std::vector<int> values = Codec<std::vector<int>>::read(json);
    ListNode* head = nullptr;
    for (auto value = values.rbegin(); value != values.rend(); ++value) head = new ListNode(*value, head);
    return head;
}

Json Codec<ListNode*>::write(const ListNode* head) {
    // A cycle would never end: Floyd's check first.
    for (const ListNode *slow = head, *fast = head; fast && fast->next;) {
        slow = slow->next;
        fast = fast->next->next;
        if (slow == fast) throw Error("the returned list has a cycle");
    }
    Json json = Json::new_array();
    for (; head; head = head->next) json.items.push_back(Json::from_integer(head->val));
    return json;
}

std::string Codec<TreeNode*>::name() { return "TreeNode*"; }

TreeNode* Codec<TreeNode*>::read(const Json& json) {
    if (json.kind == Json::Kind::Null) return nullptr;
    expect_array(json);
    const std::vector<Json>& items = json.items;
    std::size_t next = 0;
    // The node for the next item: nullptr for a null item or past the end.
    auto take = [&]() -> TreeNode* {
        if (next >= items.size()) return nullptr;
        std::size_t index = next++;
        if (items[index].kind == Json::Kind::Null) return nullptr;
        try {
            return new TreeNode(Codec<int>::read(items[index]));
        } catch (ConversionError& error) {
            error.add_index(index);
            throw;
        }
    };
    TreeNode* root = take();
    std::queue<TreeNode*> parents;
    if (root) parents.push(root);
    while (!parents.empty() && next < items.size()) {
        TreeNode* parent = parents.front();
        parents.pop();
        for (TreeNode** child : {&parent->left, &parent->right}) {
            *child = take();
            if (*child) parents.push(*child);
        }
    }
    return root;
}

Json Codec<TreeNode*>::write(const TreeNode* root) {
    Json json = Json::new_array();
    std::unordered_set<const TreeNode*> seen;
    std::queue<const TreeNode*> level;
    level.push(root);
    while (!level.empty()) {
        const TreeNode* node = level.front();
        level.pop();
        if (!node) {
            json.items.emplace_back();
            continue;
        }
        // A node met twice would be rendered forever (a cycle) or twice (shared).
        if (!seen.insert(node).second) throw Error("the returned tree has a cycle or a shared node");
        json.items.push_back(Json::from_integer(node->val));
        level.push(node->left);
        level.push(node->right);
    }
    while (!json.items.empty() && json.items.back().kind == Json::Kind::Null) json.items.pop_back();
    return json;
}

void expect_array(const Json& json) {
    if (json.kind != Json::Kind::Array) throw ConversionError("expected an array", json);
}

void expect_array_of(std::size_t size, const Json& json) {
    if (json.kind != Json::Kind::Array || json.items.size() != size) {
        throw ConversionError("expected an array of " + std::to_string(size), json);
    }
}

void expect_object(const Json& json) {
    if (json.kind != Json::Kind::Object) throw ConversionError("expected an object", json);
}

Json decimal_key(const std::string& text) {
    const char* end = text.data() + text.size();
    long long integer = 0;
    if (!text.empty() && std::from_chars(text.data(), end, integer).ptr == end) return Json::from_integer(integer);
    unsigned long long big = 0;
    if (!text.empty() && std::from_chars(text.data(), end, big).ptr == end) return Json::from_unsigned(big);
    throw ConversionError("expected a key that is an integer in decimal", Json::from_string(text));
}

std::string key_text(const Json& key) { return key.kind == Json::Kind::String ? key.text : dump_json(key); }

void Stopwatch::start() {
    started_ = std::chrono::steady_clock::now();
    running_ = true;
}

void Stopwatch::stop() {
    if (!running_) return;
    elapsed_ = std::chrono::steady_clock::now() - started_;
    running_ = false;
}

double Stopwatch::milliseconds() const { return std::chrono::duration<double, std::milli>(elapsed_).count(); }

Error argument_error(std::size_t index, const std::string& type, const ConversionError& error) {
    std::string where = error.where.empty() ? "" : " at " + error.where;
    return Error("argument " + std::to_string(index + 1) + " (" + type + ")" + where + ": " + error.message);
}

void expect_arguments(std::size_t count, const Json& arguments) {
    if (arguments.items.size() != count) {
        throw Error("expected " + std::to_string(count) + (count == 1 ? " argument" : " arguments") + ", got " +
                    std::to_string(arguments.items.size()));
    }
}

int run_test(Json (*call)(const Json& arguments, Stopwatch& clock)) {
    std::string arguments = read_all(STDIN_FILENO);
    // The function itself reads an empty stdin.
    int no_input = open("/dev/null", O_RDONLY);
    dup2(no_input, STDIN_FILENO);
    close(no_input);
    // Line buffering: what the code printed before a crash is still in the capture.
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);

    json outcome = json::object();
    Stopwatch clock;
    try {
        outcome["value"] = dump_json(call(parse_json(arguments), clock));
    } catch (const Error& error) {
        outcome["error"] = error.what();
    } catch (...) {
        outcome["error"] = describe_current_exception();
    }
    clock.stop();
    outcome["time_ms"] = clock.milliseconds();

    std::cout.flush();
    std::fflush(nullptr);
    write_all(kOutcomeFd, dump(outcome));
    // Not exit(): the submission's static destructors could still crash or print after its
    // outcome is written.
    _exit(0);
}

}  // namespace harness
