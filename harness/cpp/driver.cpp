// The C++ sandbox's harness (harness/PROTOCOL.md), started by the supervisor: reads the job
// on descriptor 0, compiles the submission once (or loads the build the job brings, the
// compiled program as base64) and replies loaded or load_failed, then runs each test line's
// test in a fresh process of the compiled program and replies with its outcome, each reply
// on the path its line names.
//
// This process lives for the whole job and alone writes the replies. A test process gets its
// input on stdin from a file, files that capture its stdout and stderr, and on descriptor 3
// a file for what it reports itself: in function mode its outcome (see runtime.cpp), in
// either mode an out-of-memory end (see startup.cpp). It holds none of this process's other
// descriptors, neither the control pipe nor a reply path. This process is not dumpable, so
// the test processes, which share its uid, can neither trace it nor read its memory or
// descriptors through /proc.
//
// Limits (harness/PROTOCOL.md): a test process may use 90% of the container's memory
// (SANDBOX_MEMORY_BYTES) as heap (RLIMIT_DATA), so that it runs out with std::bad_alloc
// before the kernel's OOM killer acts, whose kills the supervisor counts. A test's files may
// not grow past a few MB (RLIMIT_FSIZE): its captures are on the tmpfs, which is memory too.
// After each test this process kills the test's process group; what the test moved elsewhere
// the supervisor kills after the reply.
//
// `driver --precompile`, run when the image is built, precompiles the standard library (and
// <iostream> alone) with the very flags used for submissions and checks that g++ then uses it.

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace {

using nlohmann::json;

const char* const kCompiler = "/usr/bin/g++";
const std::string kIncludeDir = "/opt/harness/include";
// The precompiled headers, each built as NAME.gch beside it: the whole standard library, and
// <iostream> alone, which whole programs most often include first.
const std::string kPrecompiledHeader = "precompiled.hpp";
const std::string kPrecompiledIostream = "precompiled-iostream.hpp";
// What a test program is linked with: startup.cpp (and in function mode runtime.cpp),
// prelinked with the library members programs use (prelink.sh).
const char* const kFunctionObject = "/opt/harness/lib/function.o";
const char* const kProgramObject = "/opt/harness/lib/program.o";
// The flags the precompiled headers are built with; any difference and g++ ignores them.
const std::vector<std::string> kLanguageFlags = {"-std=c++20", "-O2"};

// /tmp is the sandbox's only writable directory, and the working directory: the code and the
// job's files are there, under their own names. What else this process writes goes in a
// directory of its own, so that the names the files may not take (Language::
// reserved_file_names) are these three alone: solution.cpp, harness.cpp and .harness.
const char* const kWorkDir = "/tmp";
const char* const kSubmissionFile = "solution.cpp";  // the code as written: diagnostics quote its lines
const char* const kUnitFile = "harness.cpp";         // the translation unit that includes it
const char* const kPrivateDir = ".harness";
const char* const kProgram = ".harness/solution";
const char* const kInputFile = ".harness/stdin";
const char* const kStdoutFile = ".harness/stdout";
const char* const kStderrFile = ".harness/stderr";
const char* const kOutcomeFile = ".harness/outcome";

const std::size_t kDiagnosticLines = 50;
const std::size_t kDiagnosticBytes = 16 * 1024;
const std::size_t kDiagnosticLineBytes = 1024;
// What is read of g++'s output; the rest is drained unread.
const std::size_t kCompilerOutputBytes = 64 * 1024;
// Tree and list problems recurse deeply; the stack may grow to this, or to half the
// container's memory where that is less, so that a runaway recursion ends in SIGSEGV rather
// than in the OOM killer.
const rlim_t kStackBytes = rlim_t{256} << 20;
// The protocol's defaults.
const std::size_t kDefaultOutputLimit = 8192;
const std::size_t kDefaultValueLimit = 32768;
// A test's files (its captures among them) may grow to this, or more where the limits need it.
const rlim_t kTestFileBytes = rlim_t{4} << 20;

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

void write_all(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        ssize_t count = write(fd, text.data() + done, text.size() - done);
        if (count > 0) done += static_cast<std::size_t>(count);
        else if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "write");
    }
}

// Moves a descriptor of this process alone (close-on-exec) to 10 or above, so that a child's
// dup2 onto 0-3 never meets it.
int move_high(int fd, const std::string& what) {
    if (fd < 0) throw std::system_error(errno, std::generic_category(), what);
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    if (high < 0) throw std::system_error(errno, std::generic_category(), what);
    return high;
}

int open_private(const std::string& path, int flags) {
    return move_high(open(path.c_str(), flags | O_CLOEXEC, 0600), "open " + path);
}

void write_file(const std::string& path, const std::string& text) {
    int fd = open_private(path, O_WRONLY | O_CREAT | O_TRUNC);
    write_all(fd, text);
    close(fd);
}

std::string read_file(const std::string& path) {
    int fd = open_private(path, O_RDONLY);
    std::string text;
    char buffer[1 << 16];
    for (ssize_t count; (count = read(fd, buffer, sizeof buffer)) != 0;) {
        if (count > 0) text.append(buffer, static_cast<std::size_t>(count));
        else if (errno != EINTR) break;
    }
    close(fd);
    return text;
}

// Builds (harness/PROTOCOL.md, "Builds") travel as standard base64, with padding.
const char kBase64Digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& bytes) {
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t at = 0; at < bytes.size(); at += 3) {
        std::size_t count = std::min<std::size_t>(3, bytes.size() - at);
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            group = group << 8 | (k < count ? static_cast<unsigned char>(bytes[at + k]) : 0U);
        }
        // count bytes take count + 1 digits; padding fills the group's four.
        for (std::size_t k = 0; k < 4; ++k) text += k <= count ? kBase64Digits[group >> (18 - 6 * k) & 63] : '=';
    }
    return text;
}

// The bytes that standard base64 text encodes; throws, saying why, on any other text.
std::string base64_decode(const std::string& text) {
    static const std::array<int, 256> values = [] {
        std::array<int, 256> table{};
        table.fill(-1);
        for (int digit = 0; digit < 64; ++digit) table[static_cast<unsigned char>(kBase64Digits[digit])] = digit;
        return table;
    }();
    if (text.size() % 4 != 0) {
        throw std::runtime_error("it is not base64: its length, " + std::to_string(text.size()) +
                                 ", is not a multiple of 4");
    }
    std::size_t end = text.size();
    while (end > 0 && text.size() - end < 2 && text[end - 1] == '=') --end;
    std::string bytes;
    bytes.reserve(end / 4 * 3 + 2);
    std::uint32_t group = 0;
    for (std::size_t at = 0; at < end; ++at) {
        int value = values[static_cast<unsigned char>(text[at])];
        if (value < 0) {
            throw std::runtime_error("it is not base64: character " + std::to_string(at) + " is not a digit");
        }
        group = group << 6 | static_cast<std::uint32_t>(value);
        if (at % 4 == 3) {
            for (int shift : {16, 8, 0}) bytes += static_cast<char>(group >> shift & 255);
        }
    }
    // A last group of 2 or 3 digits (and its padding) holds 1 or 2 bytes.
    if (end % 4 == 2) bytes += static_cast<char>(group >> 4 & 255);
    if (end % 4 == 3) {
        bytes += static_cast<char>(group >> 10 & 255);
        bytes += static_cast<char>(group >> 2 & 255);
    }
    return bytes;
}

// What a file that stood in for one of a child's descriptors holds: what was kept, and how
// much was written in all.
struct Capture {
    std::string text;
    std::size_t size = 0;
};

// Drops an incomplete UTF-8 sequence at the end of `text`, a prefix cut from a longer text,
// so that it ends on a character boundary.
void drop_partial_character(std::string& text) {
    auto continuation = [&](std::size_t at) { return (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; };
    std::size_t lead = text.size();
    while (lead > 0 && text.size() - lead < 3 && continuation(lead - 1)) --lead;
    if (lead == 0) return;
    --lead;
    auto first = static_cast<unsigned char>(text[lead]);
    std::size_t length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
    if (text.size() - lead < length) text.resize(lead);
}

// A file that stands in for one of a child's descriptors. It is opened for appending, so
// that emptying it between children needs no seek in the description they share.
class CaptureFile {
public:
    explicit CaptureFile(const std::string& path) : fd_(open_private(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) {}
    CaptureFile(const CaptureFile&) = delete;
    CaptureFile& operator=(const CaptureFile&) = delete;
    ~CaptureFile() { close(fd_); }

    int fd() const { return fd_; }

    // Empties the file, before the next child: whatever wrote to it since the last take was
    // killed by now.
    void clear() {
        if (ftruncate(fd_, 0) != 0) throw std::system_error(errno, std::generic_category(), "ftruncate");
    }

    // The first `limit` bytes, cut on a character boundary, and how many were written in all.
    Capture take(std::size_t limit = std::numeric_limits<std::size_t>::max()) const {
        struct stat status {};
        fstat(fd_, &status);
        Capture capture;
        capture.size = static_cast<std::size_t>(status.st_size);
        capture.text = read_at(0, std::min(capture.size, limit));
        if (capture.size > capture.text.size()) drop_partial_character(capture.text);
        return capture;
    }

private:
    std::string read_at(std::size_t offset, std::size_t size) const {
        std::string text(size, '\0');
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t count = pread(fd_, text.data() + done, text.size() - done, static_cast<off_t>(offset + done));
            if (count > 0) done += static_cast<std::size_t>(count);
            else if (count == 0 || errno != EINTR) break;
        }
        text.resize(done);
        return text;
    }

    int fd_;
};

// What a child may use besides what the container allows.
struct ChildLimits {
    rlim_t data = RLIM_INFINITY;  // RLIMIT_DATA: the heap and private writable mappings
    rlim_t file = RLIM_INFINITY;  // RLIMIT_FSIZE: the size of any file it writes
};

struct Finished {
    int status;           // as waitpid gives it
    double milliseconds;  // from start to exit
    long memory_kb;       // its peak resident set (ru_maxrss)
};

// Lowers the soft and hard limit, never raising the hard one (which only root may).
void lower_limit(int resource, rlim_t value) {
    if (value == RLIM_INFINITY) return;
    rlimit limit{};
    if (getrlimit(resource, &limit) != 0) return;
    if (limit.rlim_max != RLIM_INFINITY) value = std::min(value, limit.rlim_max);
    limit.rlim_cur = limit.rlim_max = value;
    setrlimit(resource, &limit);
}

// Kills what a child left in its process group. What it moved to another group or session
// is not this process's to find: the supervisor kills every other process of this uid after
// each reply.
void kill_leftovers(pid_t group) { kill(-group, SIGKILL); }

struct Child {
    pid_t pid;
    std::chrono::steady_clock::time_point started;
};

// Starts argv[0] with the given descriptors as 0, 1, 2 and (when not -1) 3, and no other, in
// a process group of its own, with the given limits. fork, not posix_spawn: the limits are
// set in the child, and a forked child's peak memory starts at this process's current
// resident set, not at its peak (a vfork'ed one inherits that).
Child spawn(const std::vector<std::string>& argv, int in, int out, int err, int outcome, const ChildLimits& limits) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    // What this process freed goes back to the kernel first: the child's peak starts at this
    // process's resident set.
    malloc_trim(0);
    auto started = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "could not start " + argv[0]);
    if (pid == 0) {
        // The child: only system calls from here on.
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);  // ignored in this process only (see main)
        if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
            (outcome != -1 && dup2(outcome, 3) < 0)) {
            _exit(127);
        }
        // Every other descriptor closes at exec, whoever opened it without close-on-exec
        // (closing them now would close the memfd the program may be executed from).
        close_range(outcome != -1 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC);
        lower_limit(RLIMIT_DATA, limits.data);
        lower_limit(RLIMIT_FSIZE, limits.file);
        execve(args[0], args.data(), environ);
        _exit(127);
    }
    return {pid, started};
}

// Waits for the child, then kills what it left behind.
Finished await(const Child& child) {
    int status = 0;
    rusage usage{};
    while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - child.started;
    kill_leftovers(child.pid);
    return {status, elapsed.count(), usage.ru_maxrss};
}

Finished run_process(const std::vector<std::string>& argv, int in, int out, int err, int outcome = -1,
                     const ChildLimits& limits = {}) {
    return await(spawn(argv, in, out, err, outcome, limits));
}

// `signal SIGSEGV (Segmentation fault)`
std::string describe_signal(int number) {
    const char* abbreviation = sigabbrev_np(number);
    return "signal " + (abbreviation ? "SIG" + std::string(abbreviation) : std::to_string(number)) + " (" +
           strsignal(number) + ")";
}

// The container's memory limit in bytes, as the supervisor gives it in SANDBOX_MEMORY_BYTES;
// 0 when there is none.
std::uint64_t memory_limit() {
    const char* text = std::getenv("SANDBOX_MEMORY_BYTES");
    if (!text || !std::isdigit(static_cast<unsigned char>(text[0]))) return 0;
    return std::strtoull(text, nullptr, 10);
}

// A line of descriptor 0 (the job or a test); false at its end. The lines come one at a time:
// the next is written only after this process replied to the last.
bool read_line(std::string& line) { return static_cast<bool>(std::getline(std::cin, line)); }

// Writes one reply, the event as one line, to the path named for it: a FIFO the supervisor
// holds open for reading, which takes this one line and nothing else.
// A reply that cannot be written (the supervisor already closed the path) is dropped, and
// the next test still runs.
void reply(const std::string& path, const json& event) {
    int fd = -1;
    try {
        fd = open_private(path, O_WRONLY);
        write_all(fd, dump(event) + "\n");
    } catch (const std::system_error&) {
    }
    if (fd >= 0) close(fd);
}

struct Job {
    std::string code;
    std::optional<std::string> function_name;  // none: a whole program
    std::vector<std::string> imports;
    std::size_t output_limit = kDefaultOutputLimit;
    std::size_t value_limit = kDefaultValueLimit;
    std::string build;          // a build to load instead of compiling; empty: none
    bool return_build = false;  // whether the loaded reply carries the build
    std::string reply;          // where the loaded or load_failed reply goes
    std::vector<std::string> args;  // a program's command-line arguments, after its name
    std::vector<std::pair<std::string, std::string>> files;  // name and content, written beside the code
};

std::size_t size_or(const json& document, const char* key, std::size_t otherwise) {
    auto found = document.find(key);
    return found != document.end() && found->is_number_unsigned() ? found->get<std::size_t>() : otherwise;
}

Job read_job() {
    Job job;
    json document;
    {
        std::string line;
        if (!read_line(line)) throw std::runtime_error("no job on descriptor 0");
        document = json::parse(line);
    }
    job.code = document.at("code").get<std::string>();
    if (document.contains("function_name") && !document["function_name"].is_null()) {
        job.function_name = document["function_name"].get<std::string>();
    }
    if (document.contains("imports") && !document["imports"].is_null()) {
        job.imports = document["imports"].get<std::vector<std::string>>();
    }
    job.output_limit = size_or(document, "output_limit_bytes", kDefaultOutputLimit);
    job.value_limit = size_or(document, "value_limit_bytes", kDefaultValueLimit);
    if (auto build = document.find("build"); build != document.end() && build->is_string()) {
        job.build = std::move(build->get_ref<std::string&>());
    }
    if (auto wanted = document.find("return_build"); wanted != document.end() && wanted->is_boolean()) {
        job.return_build = wanted->get<bool>();
    }
    job.reply = document.at("reply").get<std::string>();
    if (auto args = document.find("args"); args != document.end() && !args->is_null()) {
        job.args = args->get<std::vector<std::string>>();
    }
    if (auto files = document.find("files"); files != document.end() && !files->is_null()) {
        for (json& file : *files) {
            job.files.emplace_back(file.at("name").get<std::string>(),
                                   std::move(file.at("content").get_ref<std::string&>()));
        }
    }
    return job;
}

// One test as its line gives it: the input as JSON text.
struct TestLine {
    json index;
    std::string input;
    std::string reply;
};

// The next test; none at the end of descriptor 0.
std::optional<TestLine> read_test() {
    json document;
    {
        std::string line;
        if (!read_line(line)) return std::nullopt;
        document = json::parse(line);
    }
    return TestLine{document.at("index"), dump(document.at("input")), document.at("reply").get<std::string>()};
}

bool is_identifier(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
}

// An `imports` entry as an #include line: `vector` and `<vector>` give `#include <vector>`,
// `"x.h"` and whole `#include ...` lines stay as they are.
std::optional<std::string> include_line(const std::string& entry) {
    if (entry.find('\n') != std::string::npos || entry.empty()) return std::nullopt;
    if (entry.rfind("#include", 0) == 0) return entry;
    if (entry.front() == '<' || entry.front() == '"') return "#include " + entry;
    for (char c : entry) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::string("_./+-").find(c) == std::string::npos) {
            return std::nullopt;
        }
    }
    return "#include <" + entry + ">";
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// The translation unit of a function: LeetCode's defaults, the imports, the submission, and
// the glue that finds the function and calls it (harness.hpp). nlohmann/json.hpp, the JSON
// value type of checkers, comes too when the code names it: as the standard library does,
// but only then, as it costs a second or more to compile.
std::string function_unit(const std::string& includes, const std::string& code, const std::string& name) {
    std::string glue = R"glue(
// Give ::NAME and Solution a meaning when the submission defines no free function NAME or
// no class Solution, so that the lookups below always compile.
struct NAME;
struct Solution;

namespace harness_glue {
template <class Placeholder>
constexpr std::nullptr_t free_function() { return nullptr; }
template <auto& Function>
constexpr auto* free_function() { return &Function; }
template <class Class>
constexpr auto member_function(int) -> decltype(&Class::NAME) { return &Class::NAME; }
template <class Class>
constexpr std::nullptr_t member_function(long) { return nullptr; }

// g++ quotes the line of an error: the comment explains a failure of free_function.
constexpr auto entry = harness::choose_entry(
    free_function<::NAME>(),  // 'NAME' must be one function, not overloaded nor a template
    member_function<Solution>(0));
static_assert(!std::is_null_pointer_v<decltype(entry)>,
              "no function 'NAME': define it as a free function or as a public member function of class "
              "Solution (overloads and templates cannot be called)");
}  // namespace harness_glue

int main() { return harness::run<harness_glue::entry>(); }
)glue";
    // <...>, not "...": a file of the job's beside the unit cannot stand in for them.
    bool json = code.find("nlohmann") != std::string::npos || includes.find("nlohmann") != std::string::npos;
    return "#include <precompiled.hpp>\n"
           "#include <harness.hpp>\n" +
           std::string(json ? "#include <nlohmann/json.hpp>\n" : "") + "using namespace std;\n" + includes +
           "#include \"" + kSubmissionFile + "\"\n" + replace_all(glue, "NAME", name);
}

// Whether `text` has an `#include <bits/stdc++.h>` line, spaced in any way.
bool includes_whole_library(const std::string& text) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        auto space = [](unsigned char c) { return std::isspace(c); };
        line.erase(std::remove_if(line.begin(), line.end(), space), line.end());
        if (line.rfind("#include<bits/stdc++.h>", 0) == 0 || line.rfind("#include\"bits/stdc++.h\"", 0) == 0) {
            return true;
        }
    }
    return false;
}

// Whether the first thing in `text` but blank space and comments is an `#include <iostream>`
// line (spaced in any way): nothing the program says, a macro say, comes before it.
bool begins_with_iostream(const std::string& text) {
    std::size_t at = 0;
    while (at < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[at]))) {
            ++at;
        } else if (text.compare(at, 2, "//") == 0) {
            at = text.find('\n', at);
        } else if (text.compare(at, 2, "/*") == 0) {
            at = text.find("*/", at + 2);
            if (at != std::string::npos) at += 2;
        } else {
            break;
        }
    }
    if (at >= text.size() || text[at] != '#') return false;
    std::size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    line = line.substr(0, line.find("//"));
    line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); }), line.end());
    return line == "#include<iostream>";
}

// A whole program compiles as written. The precompiled standard library goes first only
// when the program includes it anyway: pre-including it elsewhere would put the C
// library's names (y1, index, ...) in the global namespace under a program that never
// asked for them. Likewise <iostream>, precompiled alone, goes first when the program
// includes it first, before anything else: it compiles in a fifth of the time.
std::string program_unit(const std::string& includes, const std::string& code) {
    bool whole_library = includes_whole_library(code) || includes_whole_library(includes);
    std::string first = whole_library                           ? "#include <" + kPrecompiledHeader + ">\n"
                        : begins_with_iostream(includes + code) ? "#include <" + kPrecompiledIostream + ">\n"
                                                                : "";
    return first + includes + "#include \"" + kSubmissionFile + "\"\n";
}

// g++'s diagnostics as load_failed reports them: the first lines only, without the line
// that says the submission is included from the harness's unit, and without the errors
// that follow from an error in the glue (it breaks `entry`, whose uses then fail too).
std::string trim_diagnostics(const std::string& text) {
    const std::string unit = std::string(kUnitFile) + ":";
    const std::string wrapper = "In file included from " + unit;
    std::string glue_error;  // "harness.cpp:21:", once the glue has an error
    std::string kept;
    std::size_t lines = 0, dropped = 0;
    for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
        end = std::min(text.find('\n', start), text.size());
        std::string line = text.substr(start, end - start);
        if (line.rfind(wrapper, 0) == 0 && line.find(',') == std::string::npos) continue;
        if (line.rfind(unit, 0) == 0 && line.find(": error: ") != std::string::npos) {
            std::string location = line.substr(0, line.find(':', unit.size()) + 1);
            if (glue_error.empty()) glue_error = location;
            else if (location != glue_error) break;
        } else if (!glue_error.empty() && line.rfind(std::string(kUnitFile) + ": In ", 0) == 0) {
            break;
        }
        if (line.size() > kDiagnosticLineBytes) {
            line = line.substr(0, kDiagnosticLineBytes) + " [... " + std::to_string(line.size()) + " characters]";
        }
        if (lines < kDiagnosticLines && kept.size() + line.size() < kDiagnosticBytes) {
            kept += line + "\n";
            ++lines;
        } else {
            ++dropped;
        }
    }
    if (dropped > 0) kept += "[" + std::to_string(dropped) + " more lines of diagnostics]\n";
    return kept;
}

struct Compiled {
    bool succeeded;
    std::string diagnostics;
    double milliseconds;
};

std::vector<std::string> compiler_command(std::vector<std::string> extra) {
    std::vector<std::string> command = {kCompiler};
    command.insert(command.end(), kLanguageFlags.begin(), kLanguageFlags.end());
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
}

// g++ as it compiles every submission, before the names of the files. Gold links in a
// third of the time of ld.bfd.
std::vector<std::string> submission_command() {
    return compiler_command(
        {"-pipe", "-w", "-fmax-errors=10", "-fdiagnostics-color=never", "-fuse-ld=gold", "-I", kIncludeDir});
}

// Compiles the unit. g++ writes into a pipe, of which the first kCompilerOutputBytes are
// kept and the rest drained unread: a flood of template errors costs neither memory nor
// space on the tmpfs.
// The program is linked statically, without its symbol table nor a build id: it starts in
// less than half the time of one that loads libstdc++.so, and each test starts it afresh.
// The job's own .cpp files are compiled and linked with it, as written.
Compiled compile(bool function_mode, const std::vector<std::string>& sources) {
    std::vector<std::string> command = submission_command();
    command.insert(command.end(), {"-static", "-s", "-Wl,--build-id=none", "-o", kProgram, kUnitFile});
    command.insert(command.end(), sources.begin(), sources.end());
    command.push_back(function_mode ? kFunctionObject : kProgramObject);
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    int reader = move_high(ends[0], "pipe"), writer = move_high(ends[1], "pipe");
    int no_input = open_private("/dev/null", O_RDONLY);
    Child child{};
    try {
        child = spawn(command, no_input, writer, writer, -1, ChildLimits{});
    } catch (...) {
        close(reader);
        close(writer);
        close(no_input);
        throw;
    }
    close(writer);
    close(no_input);
    std::string output;
    std::size_t written = 0;
    char buffer[1 << 16];
    for (ssize_t count; (count = read(reader, buffer, sizeof buffer)) != 0;) {
        if (count < 0) {
            if (errno == EINTR) continue;
            break;
        }
        written += static_cast<std::size_t>(count);
        std::size_t room = kCompilerOutputBytes - output.size();
        output.append(buffer, std::min(static_cast<std::size_t>(count), room));
    }
    close(reader);
    Finished finished = await(child);
    std::string diagnostics = trim_diagnostics(output);
    if (written > output.size()) {
        diagnostics += "[g++ wrote " + std::to_string(written) + " bytes of diagnostics; the first " +
                       std::to_string(output.size()) + " were read]\n";
    }
    bool succeeded = WIFEXITED(finished.status) && WEXITSTATUS(finished.status) == 0;
    if (!succeeded && diagnostics.empty()) {
        diagnostics = WIFSIGNALED(finished.status)
                          ? "g++ was killed by " + describe_signal(WTERMSIG(finished.status))
                          : "g++ failed with exit code " + std::to_string(WEXITSTATUS(finished.status));
    }
    return {succeeded, diagnostics, finished.milliseconds};
}

// Puts the program a build holds where the compiler would have put it, as it would have
// (mode 0777 less the umask); the milliseconds that took.
double load_build(const std::string& build) {
    auto started = std::chrono::steady_clock::now();
    std::string program = base64_decode(build);
    if (program.compare(0, 4, "\x7f" "ELF") != 0) throw std::runtime_error("it is not a program (no ELF header)");
    int fd = move_high(open(kProgram, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0777),
                       std::string("open ") + kProgram);
    try {
        write_all(fd, program);
    } catch (...) {
        close(fd);
        throw;
    }
    close(fd);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

// The path to execute the compiled program by. /tmp is meant to be mounted exec for C++; on
// a noexec /tmp (Docker's default for --tmpfs) the program runs from a copy in memory, a
// memfd, which only this process holds.
std::string executable_path() {
    struct statvfs mount {};
    if (statvfs(kWorkDir, &mount) == 0 && !(mount.f_flag & ST_NOEXEC)) return kProgram;
    int program = open_private(kProgram, O_RDONLY);
    int copy = move_high(memfd_create("solution", MFD_CLOEXEC), "memfd_create");
    struct stat status {};
    if (fstat(program, &status) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
    for (off_t offset = 0; offset < status.st_size;) {
        if (sendfile(copy, program, &offset, static_cast<std::size_t>(status.st_size - offset)) <= 0) {
            throw std::system_error(errno, std::generic_category(), "copy the program to a memfd");
        }
    }
    close(program);
    // The descriptor stays open for the driver's life; a child opens it by this path before
    // close-on-exec takes effect.
    return "/proc/self/fd/" + std::to_string(copy);
}

// The files a test process gets as its descriptors.
struct TestFiles {
    int input = open_private(kInputFile, O_RDWR | O_CREAT | O_TRUNC);
    CaptureFile stdout_capture{kStdoutFile};
    CaptureFile stderr_capture{kStderrFile};
    CaptureFile outcome{kOutcomeFile};

    ~TestFiles() { close(input); }

    // Readies the files for the next test: its input, and captures that hold nothing, not
    // even what the last test's leftovers wrote there after they were read.
    void prepare(const std::string& text) {
        stdout_capture.clear();
        stderr_capture.clear();
        outcome.clear();
        if (ftruncate(input, 0) != 0) throw std::system_error(errno, std::generic_category(), "ftruncate");
        if (pwrite(input, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            throw std::system_error(errno, std::generic_category(), "write the test's input");
        }
        lseek(input, 0, SEEK_SET);
    }
};

// What every test of the job runs with.
struct TestRun {
    std::string program;
    std::vector<std::string> args;  // a program's, after its name
    TestFiles files;
    std::size_t output_limit;
    std::size_t value_limit;
    ChildLimits limits;
};

// How a process that did not finish its work ended: `killed by signal SIGSEGV (Segmentation
// fault)`, `exited with code 3`.
std::string describe_end(int status) {
    return WIFSIGNALED(status) ? "killed by " + describe_signal(WTERMSIG(status))
                               : "exited with code " + std::to_string(WEXITSTATUS(status));
}

// Whether the test process said, on descriptor 3, that it ended in an uncaught
// std::bad_alloc (startup.cpp's terminate handler).
bool reported_out_of_memory(const json& outcome) {
    return outcome.is_object() && outcome.contains("limit") && outcome["limit"] == "memory";
}

// When a limit ended the test process early, says which in the event's error (and `limit`):
// an uncaught std::bad_alloc, as the process reported it, or a file grown past RLIMIT_FSIZE
// (SIGXFSZ). The OOM killer's kills are the supervisor's to tell.
void name_limit(const TestRun& run, const Finished& finished, bool out_of_memory, json& event) {
    std::string error = event["error"].get<std::string>();
    if (out_of_memory) {
        event["error"] = error + ": out of memory (std::bad_alloc)";
        event["limit"] = "memory";
    } else if (WIFSIGNALED(finished.status) && WTERMSIG(finished.status) == SIGXFSZ) {
        event["error"] = error + ": it wrote more than " + std::to_string(run.limits.file) +
                         " bytes to its output or a file";
    }
}

// The captured stdout (as `out_field`) and stderr into the event: what was kept of each and
// how many bytes were written in all.
void add_captures(const Capture& out, const Capture& err, const char* out_field, json& event) {
    event[out_field] = out.text;
    event["stdout_bytes"] = out.size;
    event["stderr"] = err.text;
    event["stderr_bytes"] = err.size;
}

// A function test: the value limit and the arguments (always an array) in, the outcome
// runtime.cpp wrote out.
void run_function_test(TestRun& run, std::string input, json& event) {
    bool array = !input.empty() && input[0] == '[';
    run.files.prepare(std::to_string(run.value_limit) + "\n" + (array ? input : "[" + input + "]"));
    std::string().swap(input);  // before the fork
    Finished finished = run_process({run.program}, run.files.input, run.files.stdout_capture.fd(),
                                    run.files.stderr_capture.fd(), run.files.outcome.fd(), run.limits);
    event["memory_kb"] = finished.memory_kb;
    Capture out = run.files.stdout_capture.take(run.output_limit);
    Capture err = run.files.stderr_capture.take(run.output_limit);
    json outcome = json::parse(run.files.outcome.take().text, nullptr, false);
    // Only these fields, checked: the outcome file is within the submission's reach.
    bool complete = outcome.is_object() && outcome.contains("time_ms") && outcome["time_ms"].is_number() &&
                    (outcome.contains("value")         ? outcome["value"].is_string()
                     : outcome.contains("value_bytes") ? outcome["value_bytes"].is_number_unsigned()
                                                       : outcome.contains("error") && outcome["error"].is_string());
    if (complete) {
        for (const char* field : {"value", "value_bytes", "error", "time_ms"}) {
            if (outcome.contains(field)) event[field] = outcome[field];
        }
        if (reported_out_of_memory(outcome)) event["limit"] = "memory";
    } else {
        // The process ended inside the call; the time is its whole life.
        event["time_ms"] = finished.milliseconds;
        event["error"] = WIFSIGNALED(finished.status)
                             ? describe_end(finished.status)
                             : "the process " + describe_end(finished.status) + " before the function returned";
        name_limit(run, finished, reported_out_of_memory(outcome), event);
    }
    add_captures(out, err, "stdout", event);
}

// A program test: the input string as stdin, its stdout as `output`.
void run_program_test(TestRun& run, std::string input_json, json& event) {
    json input = json::parse(input_json);
    if (!input.is_string()) {
        event["time_ms"] = 0;
        event["memory_kb"] = 0;
        event["error"] = "a program's input must be a string, its stdin; got " + input_json.substr(0, 200);
        return;
    }
    run.files.prepare(input.get<std::string>());
    input = nullptr;  // before the fork
    std::string().swap(input_json);
    std::vector<std::string> argv = {run.program};
    argv.insert(argv.end(), run.args.begin(), run.args.end());
    Finished finished = run_process(argv, run.files.input, run.files.stdout_capture.fd(),
                                    run.files.stderr_capture.fd(), run.files.outcome.fd(), run.limits);
    event["time_ms"] = finished.milliseconds;
    event["memory_kb"] = finished.memory_kb;
    Capture out = run.files.stdout_capture.take(run.output_limit);
    Capture err = run.files.stderr_capture.take(run.output_limit);
    if (WIFEXITED(finished.status)) event["exit_code"] = WEXITSTATUS(finished.status);
    if (!WIFEXITED(finished.status) || WEXITSTATUS(finished.status) != 0) {
        event["error"] =
            (WIFSIGNALED(finished.status) ? "the program was " : "the program ") + describe_end(finished.status);
        name_limit(run, finished, reported_out_of_memory(json::parse(run.files.outcome.take().text, nullptr, false)),
                   event);
    }
    add_captures(out, err, "output", event);
    event["stdout"] = "";
}

// Why a file of the job's may not be written under its name; none when it may. The worker
// refuses these names already: this is the harness's own guard.
std::optional<std::string> refuse_file_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
        return "file name '" + name + "' is not a plain file name";
    }
    if (name == kSubmissionFile || name == kUnitFile || name == kPrivateDir) {
        return "file name '" + name + "' is the harness's own";
    }
    return std::nullopt;
}

// Writes a file of the job's: a new one (not a name given twice), never through a link.
bool write_new_file(const std::string& name, const std::string& content) {
    int fd = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    try {
        write_all(fd, content);
    } catch (const std::system_error& error) {
        close(fd);
        errno = error.code().value();
        return false;
    }
    close(fd);
    return true;
}

void run_job(Job& job) {
    auto fail = [&](const std::string& message) {
        reply(job.reply, {{"event", "load_failed"}, {"message", message}});
    };
    if (job.function_name && !is_identifier(*job.function_name)) {
        return fail("function_name '" + *job.function_name + "' is not a C++ identifier");
    }
    std::string includes;
    for (const std::string& entry : job.imports) {
        std::optional<std::string> line = include_line(entry);
        if (!line) return fail("import '" + entry + "' is neither a header name nor an #include line");
        includes += *line + "\n";
    }
    for (std::size_t i = 0; i < job.args.size(); ++i) {
        if (job.args[i].find('\0') != std::string::npos) {
            return fail("argument " + std::to_string(i + 1) + " holds a NUL character, which no argument can");
        }
    }
    if (mkdir(kPrivateDir, 0700) != 0 && errno != EEXIST) {
        throw std::system_error(errno, std::generic_category(), std::string("mkdir ") + kPrivateDir);
    }
    // The job's files, before anything compiles, and before a build loads too: data files must
    // be there when the program runs.
    std::vector<std::string> sources;
    for (const auto& [name, content] : job.files) {
        if (std::optional<std::string> refused = refuse_file_name(name)) return fail(*refused);
        if (!write_new_file(name, content)) {
            return fail("file '" + name + "' cannot be written: " + std::strerror(errno));
        }
        // g++ would read a name that begins with - or @ as an option or a file of options.
        bool source = name.size() > 4 && name.compare(name.size() - 4, 4, ".cpp") == 0;
        if (source) sources.push_back(name[0] == '-' || name[0] == '@' ? "./" + name : name);
    }
    std::vector<std::pair<std::string, std::string>>().swap(job.files);

    {
        json loaded = {{"event", "loaded"}};
        bool from_build = false;
        if (!job.build.empty()) {
            // This code's build, made earlier by this image: loaded instead of compiling.
            try {
                loaded["compile_time_ms"] = load_build(job.build);
                from_build = true;
            } catch (const std::exception& error) {
                // Not a build of this harness's (PROTOCOL.md, "Builds"): the code it came
                // with compiles as if none had come.
                std::cerr << "harness: the cached build does not load: " << error.what() << "\n";
            }
            std::string().swap(job.build);
        }
        if (!from_build) {
            write_file(kSubmissionFile, job.code);
            write_file(kUnitFile, job.function_name ? function_unit(includes, job.code, *job.function_name)
                                                    : program_unit(includes, job.code));
            Compiled compiled = compile(job.function_name.has_value(), sources);
            if (!compiled.succeeded) return fail(compiled.diagnostics);
            loaded["compile_time_ms"] = compiled.milliseconds;
            // The compiler's work alone: nothing of the submission has run yet.
            if (job.return_build) loaded["build"] = base64_encode(read_file(kProgram));
        }
        reply(job.reply, loaded);
    }

    TestRun run{executable_path(), std::move(job.args), {}, job.output_limit, job.value_limit, {}};
    // The heap may take 90% of the container's memory: the rest is this process, the tmpfs
    // and the stack, so that the code runs out of heap (std::bad_alloc) before the container
    // runs out of memory.
    if (std::uint64_t memory = memory_limit(); memory > 0) run.limits.data = static_cast<rlim_t>(memory / 10 * 9);
    // Room for the captures to show that they passed the output limit, and for the outcome,
    // whose value (the value limit at most) is escaped once more.
    run.limits.file = std::max({kTestFileBytes, static_cast<rlim_t>(job.output_limit) + 1,
                                static_cast<rlim_t>(job.value_limit) * 6 + (rlim_t{64} << 10)});
    while (std::optional<TestLine> test = read_test()) {
        json event = {{"event", "test"}, {"index", test->index}};
        try {
            if (job.function_name) run_function_test(run, std::move(test->input), event);
            else run_program_test(run, std::move(test->input), event);
        } catch (const std::exception& error) {
            event["time_ms"] = 0;
            event["error"] = std::string("the harness could not run the test: ") + error.what();
        }
        if (!event.contains("memory_kb")) event["memory_kb"] = 0;
        if (!event.contains("stderr")) add_captures({}, {}, "stdout", event);
        reply(test->reply, event);
    }
}

// Builds each precompiled header's .gch and checks, with -H, that g++ loads it when it
// compiles a submission.
int precompile() {
    for (const std::string& name : {kPrecompiledHeader, kPrecompiledIostream}) {
        std::string header = kIncludeDir + "/" + name;
        std::vector<std::string> build = compiler_command({"-x", "c++-header", header, "-o", header + ".gch"});
        Finished built = run_process(build, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO);
        if (built.status != 0) return 1;
        write_file("/tmp/precompiled-probe.cpp", "#include <" + name + ">\n");
        CaptureFile report("/tmp/precompiled-probe.log");
        std::vector<std::string> probe = submission_command();
        probe.insert(probe.end(), {"-H", "-fsyntax-only", "/tmp/precompiled-probe.cpp"});
        Finished probed = run_process(probe, STDIN_FILENO, report.fd(), report.fd());
        std::string log = report.take(kCompilerOutputBytes).text;
        if (probed.status != 0 || log.find("! " + header + ".gch") == std::string::npos) {
            std::cerr << "g++ does not use the precompiled header " << header << ":\n" << log;
            return 1;
        }
        std::cout << "precompiled header in use: " << header << ".gch\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string(argv[1]) == "--precompile") return precompile();
    // Big blocks (a test's line and input, the job's text) are always mapped and unmapped on
    // their own, never left in the heap when freed (glibc's default raises this threshold as
    // it goes).
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    // A reply to a path the supervisor already closed is an error to drop, not a death.
    signal(SIGPIPE, SIG_IGN);
    // The job's and the tests' lines can be megabytes; stdio's character-wise reads would be
    // slow.
    std::ios::sync_with_stdio(false);

    // Not dumpable: the test processes, of the same uid, cannot trace this process nor open
    // its memory or its descriptors (the control pipe) through /proc.
    prctl(PR_SET_DUMPABLE, 0);
    // g++ finds the linker on PATH, which an emptied environment would lack.
    setenv("PATH", "/usr/bin:/bin", 0);
    rlimit stack{};
    if (getrlimit(RLIMIT_STACK, &stack) == 0) {
        rlim_t wanted = kStackBytes;
        std::uint64_t memory = memory_limit();
        if (memory > 0) wanted = std::min(wanted, static_cast<rlim_t>(memory / 2));
        stack.rlim_cur = stack.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, stack.rlim_max);
        setrlimit(RLIMIT_STACK, &stack);
    }
    if (chdir(kWorkDir) != 0) {
        std::cerr << "harness: cannot enter " << kWorkDir << ": " << std::strerror(errno) << "\n";
        return 1;
    }

    Job job;
    try {
        job = read_job();
    } catch (const std::bad_alloc&) {
        std::cerr << "harness: the job cannot be read: out of memory (std::bad_alloc)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "harness: the job cannot be read: " << error.what() << "\n";
        return 2;
    }
    // The job's text and tree are gone: give their memory back, so that this process, which
    // every test is forked from, stays small.
    malloc_trim(0);
    try {
        run_job(job);
    } catch (const std::bad_alloc&) {
        std::cerr << "harness: out of memory (std::bad_alloc)\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "harness: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
