// Linked into every function-mode test binary, compiled once when the image is built: what
// harness.hpp declares and need not be a template, JSON in and out through nlohmann/json,
// and the run of one test.
#include "harness.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <queue>
#include <typeinfo>

#include <nlohmann/json.hpp>

namespace harness {
namespace {

using nlohmann::json;

// The driver reads the test's outcome from this descriptor.
constexpr int kOutcomeFd = 3;
// The driver sends the value limit; this is the protocol's default.
constexpr std::size_t kDefaultValueLimit = 32768;

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
        // Non-negative integers are unsigned, as nlohmann::json::parse makes them.
        case Json::Kind::Integer:
            if (value.integer >= 0) return static_cast<unsigned long long>(value.integer);
            return value.integer;
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

// The length of the UTF-8 sequence at `s` when it is valid, else 0 and in `skip` the length
// of its longest invalid start, which becomes one U+FFFD (as WHATWG's decoder does).
std::size_t utf8_sequence(const unsigned char* s, std::size_t n, std::size_t& skip) {
    unsigned char c = s[0], low = 0x80, high = 0xBF;
    std::size_t need = 0;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, low = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
    else if (c == 0xED) need = 2, high = 0x9F;  // no surrogates
    else if (c == 0xF0) need = 3, low = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, high = 0x8F;  // nothing past U+10FFFF
    else {
        skip = 1;
        return 0;
    }
    for (std::size_t k = 1; k <= need; ++k) {
        if (k >= n || s[k] < low || s[k] > high) {
            skip = k;
            return 0;
        }
        low = 0x80;
        high = 0xBF;
    }
    return need + 1;
}

// A number's shortest text that reads back the same, with `.0` when it looks like an integer.
template <class Float>
void write_float(Writer& out, Float value) {
    if (!std::isfinite(value)) return out.null();
    char text[64];
    char* end = std::to_chars(text, text + sizeof text - 2, value).ptr;
    auto integral = [](char c) { return c == '-' || std::isdigit(static_cast<unsigned char>(c)); };
    if (std::all_of(text, end, integral)) {
        *end++ = '.';
        *end++ = '0';
    }
    out.raw(text, static_cast<std::size_t>(end - text));
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

void Writer::raw(char c) {
    if (++length_ <= limit_) text_ += c;
}

void Writer::raw(const char* text, std::size_t size) {
    if (length_ < limit_) text_.append(text, std::min(size, limit_ - length_));
    length_ += size;
}

void Writer::integer(long long value) {
    char text[24];
    raw(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, value).ptr - text));
}

void Writer::unsigned_integer(unsigned long long value) {
    char text[24];
    raw(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, value).ptr - text));
}

void Writer::number(double value) { write_float(*this, value); }

void Writer::number(float value) { write_float(*this, value); }

void Writer::string(const char* text, std::size_t size) {
    static const char kHex[] = "0123456789abcdef";
    const auto* bytes = reinterpret_cast<const unsigned char*>(text);
    raw('"');
    std::size_t run = 0;  // the start of the bytes that go out as they are
    for (std::size_t i = 0; i < size;) {
        unsigned char c = bytes[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        std::size_t skip = 0;
        if (c >= 0x80) {
            std::size_t length = utf8_sequence(bytes + i, size - i, skip);
            if (length > 0) {
                i += length;
                continue;
            }
        }
        raw(text + run, i - run);
        switch (c) {
            case '"': raw("\\\"", 2); break;
            case '\\': raw("\\\\", 2); break;
            case '\b': raw("\\b", 2); break;
            case '\f': raw("\\f", 2); break;
            case '\n': raw("\\n", 2); break;
            case '\r': raw("\\r", 2); break;
            case '\t': raw("\\t", 2); break;
            default:
                if (c < 0x20) {
                    const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
                    raw(escape, sizeof escape);
                } else {
                    raw("\xEF\xBF\xBD", 3);  // U+FFFD for bytes that are not UTF-8
                }
        }
        i += skip > 0 ? skip : 1;
        run = i;
    }
    raw(text + run, size - run);
    raw('"');
}

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

std::string type_name(const char* kind, std::initializer_list<std::string> parameters) {
    std::string name = kind;
    const char* separator = "<";
    for (const std::string& parameter : parameters) {
        name += separator;
        name += parameter;
        separator = ", ";
    }
    return name + ">";
}

std::string Codec<bool>::name() { return "bool"; }

bool Codec<bool>::read(const Json& json) {
    if (json.kind != Json::Kind::Boolean) throw ConversionError("expected true or false", json);
    return json.flag;
}

void Codec<bool>::write(Writer& out, bool value) { out.boolean(value); }

std::string Codec<char>::name() { return "char"; }

char Codec<char>::read(const Json& json) {
    if (json.kind != Json::Kind::String || json.text.size() != 1) {
        throw ConversionError("expected a one-character string", json);
    }
    return json.text[0];
}

void Codec<char>::write(Writer& out, char value) { out.string(&value, 1); }

std::string Codec<std::string>::name() { return "string"; }

std::string Codec<std::string>::read(const Json& json) {
    if (json.kind != Json::Kind::String) throw ConversionError("expected a string", json);
    return json.text;
}

void Codec<std::string>::write(Writer& out, const std::string& value) { out.string(value); }

std::string Codec<ListNode*>::name() { return "ListNode*"; }

ListNode* Codec<ListNode*>::read(const Json& json) {
    if (json.kind == Json::Kind::Null) return nullptr;
    std::vector<int> values = Codec<std::vector<int>>::read(json);
    ListNode* head = nullptr;
    for (auto value = values.rbegin(); value != values.rend(); ++value) head = new ListNode(*value, head);
    return head;
}

void Codec<ListNode*>::write(Writer& out, const ListNode* head) {
    // A cycle would never end: Floyd's check first.
    for (const ListNode *slow = head, *fast = head; fast && fast->next;) {
        slow = slow->next;
        fast = fast->next->next;
        if (slow == fast) throw Error("the returned list has a cycle");
    }
    out.raw('[');
    bool first = true;
    for (; head; head = head->next) {
        out.comma(first);
        out.integer(head->val);
    }
    out.raw(']');
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

void Codec<TreeNode*>::write(Writer& out, const TreeNode* root) {
    std::unordered_set<const TreeNode*> seen;
    std::queue<const TreeNode*> level;
    level.push(root);
    std::size_t nulls = 0;  // met but not yet written: trailing nulls are dropped
    bool first = true;
    out.raw('[');
    while (!level.empty()) {
        // Past the limit the rest need not be walked; a cycle there would never end.
        if (out.over()) break;
        const TreeNode* node = level.front();
        level.pop();
        if (!node) {
            ++nulls;
            continue;
        }
        // A node met twice would be rendered forever (a cycle) or twice (shared).
        if (!seen.insert(node).second) throw Error("the returned tree has a cycle or a shared node");
        for (; nulls > 0; --nulls) {
            out.comma(first);
            out.null();
        }
        out.comma(first);
        out.integer(node->val);
        level.push(node->left);
        level.push(node->right);
    }
    out.raw(']');
}

std::string Codec<nlohmann::json>::name() { return "nlohmann::json"; }

nlohmann::json Codec<nlohmann::json>::read(const Json& json) { return to_nlohmann(json); }

void Codec<nlohmann::json>::write(Writer& out, const nlohmann::json& value) {
    switch (value.type()) {
        case json::value_t::boolean: return out.boolean(value.get<bool>());
        case json::value_t::number_integer: return out.integer(value.get<long long>());
        case json::value_t::number_unsigned: return out.unsigned_integer(value.get<unsigned long long>());
        case json::value_t::number_float: return out.number(value.get<double>());
        case json::value_t::string: return out.string(value.get_ref<const std::string&>());
        case json::value_t::array: {
            out.raw('[');
            bool first = true;
            for (const json& item : value) {
                // Past the limit the rest need not be walked (the length is then where it stopped).
                if (out.over()) break;
                out.comma(first);
                write(out, item);
            }
            return out.raw(']');
        }
        case json::value_t::object: {
            out.raw('{');
            bool first = true;
            for (const auto& [key, item] : value.items()) {
                if (out.over()) break;
                out.comma(first);
                out.string(key);
                out.raw(':');
                write(out, item);
            }
            return out.raw('}');
        }
        case json::value_t::binary: {
            // Its bytes, as numbers: JSON has no bytes.
            out.raw('[');
            bool first = true;
            for (std::uint8_t byte : value.get_binary()) {
                out.comma(first);
                out.unsigned_integer(byte);
            }
            return out.raw(']');
        }
        default: return out.null();  // null, and a discarded value
    }
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

int run_test(void (*call)(const Json& arguments, Stopwatch& clock, Writer& out)) {
    std::string input = read_all(STDIN_FILENO);
    // The function itself reads an empty stdin.
    int no_input = open("/dev/null", O_RDONLY);
    dup2(no_input, STDIN_FILENO);
    close(no_input);
    // Line buffering: what the code printed before a crash is still in the capture.
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);

    // The first line is the value limit, the rest the arguments.
    std::size_t newline = input.find('\n');
    std::size_t value_limit = kDefaultValueLimit;
    if (newline != std::string::npos) value_limit = std::strtoull(input.c_str(), nullptr, 10);
    std::size_t start = newline == std::string::npos ? 0 : newline + 1;

    json outcome = json::object();
    Stopwatch clock;
    Writer out(value_limit);
    try {
        Json arguments;
        {
            // The text, nlohmann's tree and ours are never held all three at once.
            json parsed = json::parse(input.begin() + static_cast<std::ptrdiff_t>(start), input.end());
            std::string().swap(input);
            arguments = from_nlohmann(parsed);
        }
        call(arguments, clock, out);
    } catch (const std::bad_array_new_length&) {
        outcome["error"] = describe_current_exception();
    } catch (const std::bad_alloc&) {
        // startup.cpp's new handler has given back memory for what follows.
        outcome["error"] = describe_current_exception() + " (out of memory)";
        outcome["limit"] = "memory";
    } catch (const Error& error) {
        outcome["error"] = error.what();
    } catch (...) {
        outcome["error"] = describe_current_exception();
    }
    clock.stop();
    outcome["time_ms"] = clock.milliseconds();
    if (!outcome.contains("error")) {
        // Past the limit, the value's length alone (where the walk stopped at the limit, the
        // length so far).
        if (out.over()) outcome["value_bytes"] = out.length();
        else outcome["value"] = out.text();
    }

    std::cout.flush();
    std::fflush(nullptr);
    // Whatever the code itself wrote to the descriptor goes: the outcome is all it holds.
    if (ftruncate(kOutcomeFd, 0) != 0) _exit(1);
    write_all(kOutcomeFd, dump(outcome));
    // Not exit(): the submission's static destructors could still crash or print after its
    // outcome is written.
    _exit(0);
}

}  // namespace harness
