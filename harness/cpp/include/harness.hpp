// What a submission's translation unit needs to be called on JSON arguments: LeetCode's
// ListNode and TreeNode, a light JSON value, the conversions between it and C++ types, and
// the test's entry point.
//
// Compile time matters here: every submission compiles this header. So it holds no
// nlohmann/json (instantiating that library in a submission costs over a second), and what
// need not be a template is only declared: runtime.cpp defines it, compiled once when the
// image is built.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

// Declarations only: a parameter or return of type nlohmann::json (below) needs the whole
// header, which the unit includes when the code names nlohmann (driver.cpp).
#include <nlohmann/json_fwd.hpp>

// LeetCode's definitions, verbatim, so its code compiles as written.
struct ListNode {
    int val;
    ListNode *next;
    ListNode() : val(0), next(nullptr) {}
    ListNode(int x) : val(x), next(nullptr) {}
    ListNode(int x, ListNode *next) : val(x), next(next) {}
};

struct TreeNode {
    int val;
    TreeNode *left;
    TreeNode *right;
    TreeNode() : val(0), left(nullptr), right(nullptr) {}
    TreeNode(int x) : val(x), left(nullptr), right(nullptr) {}
    TreeNode(int x, TreeNode *left, TreeNode *right) : val(x), left(left), right(right) {}
};

namespace harness {

// A JSON value. Integers keep all 64 bits: those that fit `long long` are Integer, larger
// ones Unsigned.
struct Json {
    enum class Kind { Null, Boolean, Integer, Unsigned, Float, String, Array, Object };

    Kind kind = Kind::Null;
    bool flag = false;              // Boolean
    long long integer = 0;          // Integer
    unsigned long long big = 0;     // Unsigned
    double number = 0;              // Float
    std::string text;               // String
    std::vector<Json> items;        // Array: the elements; Object: the values
    std::vector<std::string> keys;  // Object: the keys, in step with items

    Json();
    Json(const Json&);
    Json(Json&&) noexcept;
    Json& operator=(const Json&);
    Json& operator=(Json&&) noexcept;
    ~Json();

    static Json from_bool(bool value);
    static Json from_integer(long long value);
    static Json from_unsigned(unsigned long long value);  // Integer where it fits
    static Json from_double(double value);                // NaN and the infinities are null
    static Json from_float(float value);                  // 0.1f is 0.1, not 0.10000000149011612
    static Json from_string(std::string value);
    static Json new_array();
    static Json new_object();
};

Json parse_json(const std::string& text);
std::string dump_json(const Json& value);

// A failure the harness reports as the test's error, message as is.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A JSON value that does not fit the C++ type asked for. `where` locates it inside the
// argument (`[2]["key"]`), filled in as the error travels up through the containers.
struct ConversionError {
    std::string where;
    std::string message;

    ConversionError(const std::string& expected, const Json& got);
    void add_index(std::size_t index);
    void add_key(const std::string& key);
};

// The integer in `json`, or a ConversionError naming `type` when it is none or out of
// [min, max]. A float with an integral value (3.0) counts.
long long read_signed(const Json& json, long long min, long long max, const char* type);
unsigned long long read_unsigned(const Json& json, unsigned long long max, const char* type);
double read_number(const Json& json);

template <class T>
inline constexpr bool kAlwaysFalse = false;

// A type's name for messages: `vector<int>`, `map<string, int>`. Out of line, as is all the
// string building here: since C++20 libstdc++ no longer declares std::string's members as
// instantiated in the library (extern template), so each use in a template would compile
// them afresh in every submission.
std::string type_name(const char* kind, std::initializer_list<std::string> parameters);

// The returned value's JSON text, written as the value is walked. Past `limit` bytes the
// text is no longer kept, only counted: a value of any size is measured without being held
// as text, let alone twice. Strings are written as valid UTF-8 (a byte that is not becomes
// U+FFFD), so that no bytes of the code's can break the result channel.
class Writer {
public:
    explicit Writer(std::size_t limit) : limit_(limit) {}

    void raw(char c);
    void raw(const char* text, std::size_t size);
    void null() { raw("null", 4); }
    void boolean(bool value) { value ? raw("true", 4) : raw("false", 5); }
    void integer(long long value);
    void unsigned_integer(unsigned long long value);
    void number(double value);  // NaN and the infinities are null
    void number(float value);   // 0.1f is 0.1, not 0.10000000149011612
    void string(const char* text, std::size_t size);
    void string(const std::string& text) { string(text.data(), text.size()); }
    // A separator before every member but the first: `first` is the caller's flag.
    void comma(bool& first) {
        if (!first) raw(',');
        first = false;
    }

    // Whether the text has passed the limit. A walk may stop there (a tree's does), so that
    // length() is where it stopped, not the whole length.
    bool over() const { return length_ > limit_; }
    std::size_t length() const { return length_; }
    const std::string& text() const { return text_; }

private:
    std::size_t limit_;
    std::size_t length_ = 0;
    std::string text_;
};

// Codec<T>: name() for messages, read() from JSON (throws ConversionError), write() as JSON
// text.
template <class T, class = void>
struct Codec {
    static_assert(kAlwaysFalse<T>,
                  "the harness cannot convert this parameter or return type from or to JSON; it converts numbers, "
                  "bool, char, string, vector, set, map, pair, tuple, ListNode*, TreeNode* and nlohmann::json");
    // Declared only, so that g++ reports the assertion above and not its uses too.
    static std::string name();
    static T read(const Json& json);
    static void write(Writer& out, const T& value);
};

template <class T>
const char* integer_name() {
    if constexpr (std::is_same_v<T, int>) return "int";
    else if constexpr (std::is_same_v<T, long>) return "long";
    else if constexpr (std::is_same_v<T, long long>) return "long long";
    else if constexpr (std::is_same_v<T, unsigned>) return "unsigned";
    else if constexpr (std::is_same_v<T, unsigned long>) return "unsigned long";
    else if constexpr (std::is_same_v<T, unsigned long long>) return "unsigned long long";
    else if constexpr (std::is_same_v<T, short>) return "short";
    else if constexpr (std::is_same_v<T, unsigned short>) return "unsigned short";
    else return std::is_signed_v<T> ? "signed integer" : "unsigned integer";
}

// Integers, char and bool aside (below).
template <class T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>>> {
    using Limits = std::numeric_limits<T>;

    static std::string name() { return integer_name<T>(); }

    static T read(const Json& json) {
        if constexpr (std::is_signed_v<T>) {
            return static_cast<T>(read_signed(json, Limits::min(), Limits::max(), integer_name<T>()));
        } else {
            return static_cast<T>(read_unsigned(json, Limits::max(), integer_name<T>()));
        }
    }

    static void write(Writer& out, T value) {
        if constexpr (std::is_signed_v<T>) out.integer(value);
        else out.unsigned_integer(value);
    }
};

template <class T>
struct Codec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static std::string name() {
        if constexpr (std::is_same_v<T, float>) return "float";
        else if constexpr (std::is_same_v<T, double>) return "double";
        else return "long double";
    }
    static T read(const Json& json) { return static_cast<T>(read_number(json)); }
    static void write(Writer& out, T value) {
        if constexpr (std::is_same_v<T, float>) out.number(value);
        else out.number(static_cast<double>(value));
    }
};

template <>
struct Codec<bool> {
    static std::string name();
    static bool read(const Json& json);
    static void write(Writer& out, bool value);
};

// A char is a one-character string, as LeetCode writes it.
template <>
struct Codec<char> {
    static std::string name();
    static char read(const Json& json);
    static void write(Writer& out, char value);
};

template <>
struct Codec<std::string> {
    static std::string name();
    static std::string read(const Json& json);
    static void write(Writer& out, const std::string& value);
};

// A list is the array of its values; null or [] is the empty list.
template <>
struct Codec<ListNode*> {
    static std::string name();
    static ListNode* read(const Json& json);
    static void write(Writer& out, const ListNode* head);
};

// A tree is its level order, LeetCode's form: null for a missing child, trailing nulls
// dropped; null or [] is the empty tree.
template <>
struct Codec<TreeNode*> {
    static std::string name();
    static TreeNode* read(const Json& json);
    static void write(Writer& out, const TreeNode* root);
};

// nlohmann::json takes any JSON value (a checker's input and actual output are of any shape)
// and returns one: an object, say. Out of line, compiled once with the runtime: in the
// submission it costs nothing but the call. Non-negative integers arrive as number_unsigned,
// as nlohmann::json::parse gives them.
template <>
struct Codec<nlohmann::json> {
    static std::string name();
    static nlohmann::json read(const Json& json);
    static void write(Writer& out, const nlohmann::json& value);
};

// Element-wise reading and writing of arrays, for the containers below.
void expect_array(const Json& json);

template <class Container, class Add>
Container read_array(const Json& json, Add add) {
    expect_array(json);
    Container container;
    for (std::size_t i = 0; i < json.items.size(); ++i) {
        try {
            add(container, Codec<typename Container::value_type>::read(json.items[i]));
        } catch (ConversionError& error) {
            error.add_index(i);
            throw;
        }
    }
    return container;
}

template <class Iterator>
void write_array(Writer& out, Iterator begin, Iterator end) {
    out.raw('[');
    bool first = true;
    for (; begin != end; ++begin) {
        out.comma(first);
        Codec<typename std::iterator_traits<Iterator>::value_type>::write(out, *begin);
    }
    out.raw(']');
}

template <class T, class A>
struct Codec<std::vector<T, A>> {
    static std::string name() { return type_name("vector", {Codec<T>::name()}); }
    static std::vector<T, A> read(const Json& json) {
        return read_array<std::vector<T, A>>(json, [](auto& vector, T&& item) { vector.push_back(std::move(item)); });
    }
    static void write(Writer& out, const std::vector<T, A>& value) { write_array(out, value.begin(), value.end()); }
};

template <class T, class = void>
struct IsOrdered : std::false_type {};
template <class T>
struct IsOrdered<T, std::void_t<decltype(std::declval<const T&>() < std::declval<const T&>())>> : std::true_type {};

// Sets, ordered or not, are arrays; an unordered set's elements are sorted, where they can
// be, so that equal sets render alike.
template <class Set>
struct SetCodec {
    using Element = typename Set::value_type;
    static Set read(const Json& json) {
        return read_array<Set>(json, [](Set& set, Element&& item) { set.insert(std::move(item)); });
    }
    static void write(Writer& out, const Set& value) {
        if constexpr (IsOrdered<Element>::value) {
            // Pointers are sorted, not copies of the elements.
            std::vector<const Element*> sorted;
            sorted.reserve(value.size());
            for (const Element& element : value) sorted.push_back(&element);
            std::sort(sorted.begin(), sorted.end(), [](const Element* a, const Element* b) { return *a < *b; });
            out.raw('[');
            bool first = true;
            for (const Element* element : sorted) {
                out.comma(first);
                Codec<Element>::write(out, *element);
            }
            out.raw(']');
        } else {
            write_array(out, value.begin(), value.end());
        }
    }
};

template <class T, class C, class A>
struct Codec<std::set<T, C, A>> : SetCodec<std::set<T, C, A>> {
    static std::string name() { return type_name("set", {Codec<T>::name()}); }
};
template <class T, class C, class A>
struct Codec<std::multiset<T, C, A>> : SetCodec<std::multiset<T, C, A>> {
    static std::string name() { return type_name("multiset", {Codec<T>::name()}); }
};
template <class T, class H, class E, class A>
struct Codec<std::unordered_set<T, H, E, A>> : SetCodec<std::unordered_set<T, H, E, A>> {
    static std::string name() { return type_name("unordered_set", {Codec<T>::name()}); }
};

// A map is an object. JSON's keys are strings: a string key is itself, a char key a
// one-character string, an integer key its decimal text.
void expect_object(const Json& json);
Json decimal_key(const std::string& text);  // the integer the key spells, or a ConversionError

// A key as an object's key: a string or char is itself, any other key its JSON text (3 is "3").
template <class Key>
void write_key(Writer& out, const Key& key) {
    if constexpr (std::is_same_v<Key, std::string>) {
        out.string(key);
    } else if constexpr (std::is_same_v<Key, char>) {
        out.string(&key, 1);
    } else {
        Writer text(std::numeric_limits<std::size_t>::max());
        Codec<Key>::write(text, key);
        out.string(text.text());
    }
}

template <class Key>
Key read_key(const std::string& text) {
    if constexpr (std::is_same_v<Key, std::string> || std::is_same_v<Key, char>) {
        return Codec<Key>::read(Json::from_string(text));
    } else if constexpr (std::is_integral_v<Key> && !std::is_same_v<Key, bool>) {
        return Codec<Key>::read(decimal_key(text));
    } else {
        static_assert(kAlwaysFalse<Key>, "the harness reads maps with string, char or integer keys only");
    }
}

template <class Map>
struct MapCodec {
    using Key = typename Map::key_type;
    using Value = typename Map::mapped_type;

    static std::string name(const char* kind) {
        return type_name(kind, {Codec<Key>::name(), Codec<Value>::name()});
    }

    static Map read(const Json& json) {
        expect_object(json);
        Map map;
        for (std::size_t i = 0; i < json.keys.size(); ++i) {
            try {
                map.emplace(read_key<Key>(json.keys[i]), Codec<Value>::read(json.items[i]));
            } catch (ConversionError& error) {
                error.add_key(json.keys[i]);
                throw;
            }
        }
        return map;
    }

    static void write(Writer& out, const Map& value) {
        out.raw('{');
        bool first = true;
        for (const auto& [key, item] : value) {
            out.comma(first);
            write_key(out, key);
            out.raw(':');
            Codec<Value>::write(out, item);
        }
        out.raw('}');
    }
};

template <class K, class V, class C, class A>
struct Codec<std::map<K, V, C, A>> : MapCodec<std::map<K, V, C, A>> {
    static std::string name() { return MapCodec<std::map<K, V, C, A>>::name("map"); }
};
template <class K, class V, class H, class E, class A>
struct Codec<std::unordered_map<K, V, H, E, A>> : MapCodec<std::unordered_map<K, V, H, E, A>> {
    static std::string name() { return MapCodec<std::unordered_map<K, V, H, E, A>>::name("unordered_map"); }
};

// A pair or tuple is an array of its members.
void expect_array_of(std::size_t size, const Json& json);

template <class Tuple, class... T>
struct TupleCodec {
    static std::string name(const char* kind) {
        return type_name(kind, {Codec<T>::name()...});
    }

    static Tuple read(const Json& json) {
        expect_array_of(sizeof...(T), json);
        return read_members(json, std::index_sequence_for<T...>());
    }

    template <std::size_t... I>
    static Tuple read_members(const Json& json, std::index_sequence<I...>) {
        return Tuple{read_member<T>(json, I)...};
    }

    template <class Member>
    static Member read_member(const Json& json, std::size_t index) {
        try {
            return Codec<Member>::read(json.items[index]);
        } catch (ConversionError& error) {
            error.add_index(index);
            throw;
        }
    }

    static void write(Writer& out, const Tuple& value) {
        out.raw('[');
        bool first = true;
        std::apply([&](const T&... member) { ((out.comma(first), Codec<T>::write(out, member)), ...); }, value);
        out.raw(']');
    }
};

template <class A, class B>
struct Codec<std::pair<A, B>> : TupleCodec<std::pair<A, B>, A, B> {
    static std::string name() { return TupleCodec<std::pair<A, B>, A, B>::name("pair"); }
};
template <class... T>
struct Codec<std::tuple<T...>> : TupleCodec<std::tuple<T...>, T...> {
    static std::string name() { return TupleCodec<std::tuple<T...>, T...>::name("tuple"); }
};

// The parameter types of what the submission names: a function, a callable object (a
// lambda) or a member function, const or noexcept.
template <class F>
struct Signature : Signature<decltype(&F::operator())> {};
template <class R, class... A>
struct Signature<R(A...)> {
    using Parameters = std::tuple<A...>;
};
template <class R, class... A>
struct Signature<R(A...) const> : Signature<R(A...)> {};
template <class R, class... A>
struct Signature<R(A...) noexcept> : Signature<R(A...)> {};
template <class R, class... A>
struct Signature<R(A...) const noexcept> : Signature<R(A...)> {};
template <class F>
struct Signature<F*> : Signature<F> {};
template <class F, class C>
struct Signature<F C::*> : Signature<F> {};

template <class M>
struct ClassOf;
template <class F, class C>
struct ClassOf<F C::*> {
    using Type = C;
};

// Times the call alone; an exception leaves it running, and the runtime stops it.
class Stopwatch {
public:
    void start();
    void stop();
    double milliseconds() const;

private:
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::duration elapsed_{};
    bool running_ = false;
};

Error argument_error(std::size_t index, const std::string& type, const ConversionError& error);
void expect_arguments(std::size_t count, const Json& arguments);

template <class T>
T read_argument(const Json& json, std::size_t index) {
    try {
        return Codec<T>::read(json);
    } catch (const ConversionError& error) {
        throw argument_error(index, Codec<T>::name(), error);
    }
}

// Reads the arguments into values of the parameters' types (without reference or const),
// calls, and writes the result to `out`. A parameter taken by value is moved into; one taken
// by reference refers to the stored value.
template <class... Parameters, class Call, std::size_t... I>
void call_with_json(Call&& call, const Json& arguments, Stopwatch& clock, Writer& out, std::index_sequence<I...>) {
    using Result = decltype(call(std::declval<Parameters>()...));
    expect_arguments(sizeof...(Parameters), arguments);
    // Braces: the arguments are read in order, so the first bad one is the one reported.
    std::tuple<std::decay_t<Parameters>...> values{read_argument<std::decay_t<Parameters>>(arguments.items[I], I)...};
    if constexpr (std::is_void_v<Result>) {
        clock.start();
        call(static_cast<Parameters&&>(std::get<I>(values))...);
        clock.stop();
        out.null();
    } else {
        clock.start();
        auto&& result = call(static_cast<Parameters&&>(std::get<I>(values))...);
        clock.stop();
        Codec<std::decay_t<Result>>::write(out, result);
    }
}

template <class Call, class... Parameters>
void call_with_json(Call&& call, const Json& arguments, Stopwatch& clock, Writer& out, std::tuple<Parameters...>*) {
    call_with_json<Parameters...>(std::forward<Call>(call), arguments, clock, out,
                                  std::index_sequence_for<Parameters...>());
}

// The function the glue found: a free function (or static member function) or callable
// object, else a member function of class Solution, built afresh for the test as
// LeetCode does.
template <class Free, class Method>
constexpr auto choose_entry(Free free_entry, Method method_entry) {
    if constexpr (std::is_null_pointer_v<Free>) return method_entry;
    else return free_entry;
}

template <auto Entry>
void call_entry(const Json& arguments, Stopwatch& clock, Writer& out) {
    using Parameters = typename Signature<decltype(Entry)>::Parameters;
    if constexpr (std::is_member_function_pointer_v<decltype(Entry)>) {
        auto solution = std::make_unique<typename ClassOf<decltype(Entry)>::Type>();
        auto call = [&](auto&&... values) -> decltype(auto) {
            return ((*solution).*Entry)(std::forward<decltype(values)>(values)...);
        };
        call_with_json(call, arguments, clock, out, static_cast<Parameters*>(nullptr));
    } else {
        call_with_json(*Entry, arguments, clock, out, static_cast<Parameters*>(nullptr));
    }
}

// Runs one test: the value limit and the arguments come on stdin, the outcome goes to
// descriptor 3 for the driver.
int run_test(void (*call)(const Json& arguments, Stopwatch& clock, Writer& out));

template <auto Entry>
int run() {
    // No entry: the glue's static_assert has said so; nothing more to report.
    if constexpr (std::is_null_pointer_v<decltype(Entry)>) return 1;
    else return run_test(&call_entry<Entry>);
}

}  // namespace harness
