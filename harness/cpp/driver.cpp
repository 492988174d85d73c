// The C++ sandbox's entrypoint (harness/PROTOCOL.md): reads the job, compiles the submission
// once, runs each test in a fresh process of the compiled program and reports the events,
// each behind the job's nonce.
//
// Only this process knows the nonce and holds the result channel (its stdout). A test
// process gets its input on stdin, files that capture its stdout and stderr, and in function
// mode a file on descriptor 3 for its outcome (see runtime.cpp). This process is not
// dumpable, so the test processes, which share its uid, cannot read its memory through /proc.
//
// `driver --precompile`, run when the image is built, precompiles the standard library with
// the very flags used for submissions and checks that g++ then uses it.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
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
const std::string kPrecompiledHeader = kIncludeDir + "/precompiled.hpp";
const char* const kRuntimeObject = "/opt/harness/lib/runtime.o";
// The flags the precompiled header is built with; any difference and g++ ignores it.
const std::vector<std::string> kLanguageFlags = {"-std=c++17", "-O2"};

// /tmp is the sandbox's only writable directory, and the working directory.
const char* const kWorkDir = "/tmp";
const char* const kSubmissionFile = "solution.cpp";  // the code as written: diagnostics quote its lines
const char* const kUnitFile = "harness.cpp";         // the translation unit that includes it
const char* const kProgram = "./solution";

const std::size_t kDiagnosticLines = 50;
const std::size_t kDiagnosticBytes = 16 * 1024;
const std::size_t kCompilerOutputBytes = 1 << 20;
// Tree and list problems recurse deeply; the stack may grow into the memory limit.
const rlim_t kStackBytes = rlim_t{256} << 20;

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

// A file that stands in for one of a child's descriptors. It is opened for appending, so
// that emptying it between children needs no seek in the description they share.
class CaptureFile {
public:
    explicit CaptureFile(const std::string& path) : fd_(open_private(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) {}
    CaptureFile(const CaptureFile&) = delete;
    CaptureFile& operator=(const CaptureFile&) = delete;
    ~CaptureFile() { close(fd_); }

    int fd() const { return fd_; }

    // The first `limit` bytes written since the last take, and how many were written in
    // all; empties the file.
    std::pair<std::string, std::size_t> take(std::size_t limit = std::numeric_limits<std::size_t>::max()) {
        struct stat status {};
        fstat(fd_, &status);
        std::size_t size = static_cast<std::size_t>(status.st_size);
        std::string text(std::min(size, limit), '\0');
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t count = pread(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
            if (count > 0) done += static_cast<std::size_t>(count);
            else if (count == 0 || errno != EINTR) break;
        }
        text.resize(done);
        if (ftruncate(fd_, 0) != 0) throw std::system_error(errno, std::generic_category(), "ftruncate");
        return {std::move(text), size};
    }

    // What the child printed, as the test event reports it.
    std::string take_output(std::size_t limit) {
        auto [text, size] = take(limit);
        if (size > limit) {
            text += "\n[output truncated: " + std::to_string(size) + " bytes written, " + std::to_string(limit) +
                    " kept]";
        }
        return text;
    }

private:
    int fd_;
};

struct Finished {
    int status;           // as waitpid gives it
    double milliseconds;  // from spawn to exit
};

// Runs argv[0] with the given descriptors as 0, 1, 2 and (when not -1) 3, and waits for it.
// The child leads a process group of its own, killed when it ends, so that nothing a test
// started outlives it to write into the next test's captures. This process is the
// container's init, so those orphans become its children: reaping them keeps zombies from
// using up the sandbox's processes.
Finished run_process(const std::vector<std::string>& argv, int in, int out, int err, int outcome = -1) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
    if (outcome != -1) posix_spawn_file_actions_adddup2(&actions, outcome, 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    auto started = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int failed = posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (failed != 0) throw std::system_error(failed, std::generic_category(), "could not start " + argv[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started;
    kill(-pid, SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return {status, elapsed.count()};
}

// `signal SIGSEGV (Segmentation fault)`
std::string describe_signal(int number) {
    const char* abbreviation = sigabbrev_np(number);
    std::string text = "signal " + (abbreviation ? "SIG" + std::string(abbreviation) : std::to_string(number)) + " (" +
                       strsignal(number) + ")";
    if (number == SIGKILL) text += ", as when the memory limit is reached";
    return text;
}

struct Job {
    std::string nonce;
    std::string code;
    std::optional<std::string> function_name;  // none: a whole program
    std::vector<std::string> imports;
    json inputs;
    std::size_t output_limit;
};

Job read_job() {
    std::string line;
    if (!std::getline(std::cin, line)) throw std::runtime_error("no job on stdin");
    json document = json::parse(line);
    Job job;
    job.nonce = document.at("nonce").get<std::string>();
    job.code = document.at("code").get<std::string>();
    if (document.contains("function_name") && !document["function_name"].is_null()) {
        job.function_name = document["function_name"].get<std::string>();
    }
    if (document.contains("imports") && !document["imports"].is_null()) {
        job.imports = document["imports"].get<std::vector<std::string>>();
    }
    job.inputs = document.at("inputs");
    if (!job.inputs.is_array()) throw std::runtime_error("inputs is not an array");
    job.output_limit = document.value("output_limit_bytes", std::size_t{65536});
    return job;
}

// Writes each event on its own line behind the nonce.
class Channel {
public:
    explicit Channel(std::string nonce) : nonce_(std::move(nonce)) {}
    void emit(const json& event) const { write_all(STDOUT_FILENO, nonce_ + " " + dump(event) + "\n"); }

private:
    std::string nonce_;
};

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
// the glue that finds the function and calls it (harness.hpp).
std::string function_unit(const std::string& includes, const std::string& name) {
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
    return "#include \"precompiled.hpp\"\n"
           "#include \"harness.hpp\"\n"
           "using namespace std;\n" +
           includes + "#include \"" + kSubmissionFile + "\"\n" + replace_all(glue, "NAME", name);
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

// A whole program compiles as written. The precompiled standard library goes first only
// when the program includes it anyway: pre-including it elsewhere would put the C
// library's names (y1, index, ...) in the global namespace under a program that never
// asked for them.
std::string program_unit(const std::string& includes, const std::string& code) {
    bool whole_library = includes_whole_library(code) || includes_whole_library(includes);
    return (whole_library ? "#include \"precompiled.hpp\"\n" : "") + includes + "#include \"" + kSubmissionFile +
           "\"\n";
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

Compiled compile(bool function_mode) {
    std::vector<std::string> command = submission_command();
    command.insert(command.end(), {"-o", kProgram, kUnitFile});
    if (function_mode) command.push_back(kRuntimeObject);
    CaptureFile output(".compiler");
    int no_input = open_private("/dev/null", O_RDONLY);
    Finished finished = run_process(command, no_input, output.fd(), output.fd());
    close(no_input);
    std::string diagnostics = trim_diagnostics(output.take(kCompilerOutputBytes).first);
    bool succeeded = WIFEXITED(finished.status) && WEXITSTATUS(finished.status) == 0;
    if (!succeeded && diagnostics.empty()) {
        diagnostics = WIFSIGNALED(finished.status)
                          ? "g++ was killed by " + describe_signal(WTERMSIG(finished.status))
                          : "g++ failed with exit code " + std::to_string(WEXITSTATUS(finished.status));
    }
    return {succeeded, diagnostics, finished.milliseconds};
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
    int input = open_private(".stdin", O_RDWR | O_CREAT | O_TRUNC);
    CaptureFile stdout_capture{".stdout"};
    CaptureFile stderr_capture{".stderr"};
    CaptureFile outcome{".outcome"};

    ~TestFiles() { close(input); }

    void set_input(const std::string& text) {
        if (ftruncate(input, 0) != 0) throw std::system_error(errno, std::generic_category(), "ftruncate");
        if (pwrite(input, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            throw std::system_error(errno, std::generic_category(), "write the test's input");
        }
        lseek(input, 0, SEEK_SET);
    }
};

// A function test: the arguments (always an array) in, the outcome runtime.cpp wrote out.
void run_function_test(const std::string& program, TestFiles& files, const json& input, std::size_t limit,
                       json& event) {
    files.set_input(dump(input.is_array() ? input : json::array({input})));
    Finished finished = run_process({program}, files.input, files.stdout_capture.fd(), files.stderr_capture.fd(),
                                    files.outcome.fd());
    json outcome = json::parse(files.outcome.take().first, nullptr, false);
    // Only these fields, checked: the outcome file is within the submission's reach.
    bool complete = outcome.is_object() && outcome.contains("time_ms") && outcome["time_ms"].is_number() &&
                    (outcome.contains("value") ? outcome["value"].is_string()
                                               : outcome.contains("error") && outcome["error"].is_string());
    if (complete) {
        for (const char* field : {"value", "error", "time_ms"}) {
            if (outcome.contains(field)) event[field] = outcome[field];
        }
    } else {
        // The process ended inside the call; the time is its whole life.
        event["time_ms"] = finished.milliseconds;
        event["error"] = WIFSIGNALED(finished.status)
                             ? "killed by " + describe_signal(WTERMSIG(finished.status))
                             : "the process exited with code " + std::to_string(WEXITSTATUS(finished.status)) +
                                   " before the function returned";
    }
    event["stdout"] = files.stdout_capture.take_output(limit);
    event["stderr"] = files.stderr_capture.take_output(limit);
}

// A program test: the input string as stdin, its stdout as `output`.
void run_program_test(const std::string& program, TestFiles& files, const json& input, std::size_t limit,
                      json& event) {
    if (!input.is_string()) {
        event["time_ms"] = 0;
        event["error"] = "a program's input must be a string, its stdin; got " + dump(input);
        return;
    }
    files.set_input(input.get<std::string>());
    Finished finished = run_process({program}, files.input, files.stdout_capture.fd(), files.stderr_capture.fd());
    event["time_ms"] = finished.milliseconds;
    event["output"] = files.stdout_capture.take_output(limit);
    event["stderr"] = files.stderr_capture.take_output(limit);
    if (WIFSIGNALED(finished.status)) {
        event["error"] = "the program was killed by " + describe_signal(WTERMSIG(finished.status));
    } else if (WEXITSTATUS(finished.status) != 0) {
        event["error"] = "the program exited with code " + std::to_string(WEXITSTATUS(finished.status));
    }
}

void run_job(const Job& job, const Channel& channel) {
    auto fail = [&](const std::string& message) { channel.emit({{"event", "load_failed"}, {"message", message}}); };
    if (job.function_name && !is_identifier(*job.function_name)) {
        return fail("function_name '" + *job.function_name + "' is not a C++ identifier");
    }
    std::string includes;
    for (const std::string& entry : job.imports) {
        std::optional<std::string> line = include_line(entry);
        if (!line) return fail("import '" + entry + "' is neither a header name nor an #include line");
        includes += *line + "\n";
    }

    write_file(kSubmissionFile, job.code);
    write_file(kUnitFile, job.function_name ? function_unit(includes, *job.function_name)
                                            : program_unit(includes, job.code));
    Compiled compiled = compile(job.function_name.has_value());
    if (!compiled.succeeded) return fail(compiled.diagnostics);
    channel.emit({{"event", "loaded"}, {"compile_time_ms", compiled.milliseconds}});

    std::string program = executable_path();
    TestFiles files;
    for (std::size_t index = 0; index < job.inputs.size(); ++index) {
        json event = {{"event", "test"}, {"index", index}};
        try {
            if (job.function_name) run_function_test(program, files, job.inputs[index], job.output_limit, event);
            else run_program_test(program, files, job.inputs[index], job.output_limit, event);
        } catch (const std::system_error& error) {
            event["time_ms"] = 0;
            event["error"] = std::string("the harness could not run the test: ") + error.what();
        }
        channel.emit(event);
    }
    channel.emit({{"event", "done"}});
}

// Builds precompiled.hpp.gch and checks, with -H, that g++ loads it when it compiles a
// submission.
int precompile() {
    std::vector<std::string> build =
        compiler_command({"-x", "c++-header", kPrecompiledHeader, "-o", kPrecompiledHeader + ".gch"});
    Finished built = run_process(build, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO);
    if (built.status != 0) return 1;
    write_file("/tmp/precompiled-probe.cpp", "#include \"precompiled.hpp\"\n");
    CaptureFile report("/tmp/precompiled-probe.log");
    std::vector<std::string> probe = submission_command();
    probe.insert(probe.end(), {"-H", "-fsyntax-only", "/tmp/precompiled-probe.cpp"});
    Finished probed = run_process(probe, STDIN_FILENO, report.fd(), report.fd());
    std::string log = report.take(kCompilerOutputBytes).first;
    if (probed.status != 0 || log.find("! " + kPrecompiledHeader + ".gch") == std::string::npos) {
        std::cerr << "g++ does not use the precompiled header:\n" << log;
        return 1;
    }
    std::cout << "precompiled header in use: " << kPrecompiledHeader << ".gch\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string(argv[1]) == "--precompile") return precompile();
    // The job line can be megabytes; stdio's character-wise reads would be slow.
    std::ios::sync_with_stdio(false);

    // Not dumpable: processes of the same uid cannot read the nonce in /proc/<pid>/mem.
    prctl(PR_SET_DUMPABLE, 0);
    // g++ finds the linker on PATH, which an emptied environment would lack.
    setenv("PATH", "/usr/bin:/bin", 0);
    rlimit stack{};
    if (getrlimit(RLIMIT_STACK, &stack) == 0) {
        stack.rlim_cur = stack.rlim_max == RLIM_INFINITY ? kStackBytes : std::min(kStackBytes, stack.rlim_max);
        setrlimit(RLIMIT_STACK, &stack);
    }
    if (chdir(kWorkDir) != 0) {
        std::cerr << "harness: cannot enter " << kWorkDir << ": " << std::strerror(errno) << "\n";
        return 1;
    }

    Job job;
    try {
        job = read_job();
    } catch (const std::exception& error) {
        std::cerr << "harness: the job cannot be read: " << error.what() << "\n";
        return 2;
    }
    try {
        run_job(job, Channel(job.nonce));
    } catch (const std::exception& error) {
        std::cerr << "harness: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
