"""The Python sandbox harness: the job and then one test at a time on stdin, each reply
written to the path the supervisor named for it.

The protocol is harness/PROTOCOL.md. This process never runs the user's code: it forks one
process per test (and one to load the code first), each of which runs the code and leaves
its outcome in memory shared with this one, and writes the reply itself. It is
undumpable, so that a test's process, which shares its uid, cannot read or rewrite it
through /proc or ptrace and so live on in it. What a test prints goes to capture files.

The job's files are written into /tmp, the working directory, and this process writes no
other name there (its capture files have none). Only a test's process puts /tmp on
sys.path (program mode, as `python3 solution.py` puts the script's directory): this process
never imports from it, so a file named like a module (json.py, traceback.py) reaches the
program that imports it and nothing of the harness's.

A test's process costs what it writes of the memory it shares with this one (each page
written, refcounts included, is copied) and the first test waits for this process to
start, so this process does once what every test would, and imports only what every test
needs: the prelude, into a namespace each test's process takes as its own copy; the
imports, compiled; the function's parameters, read by the process that loads the code; the
descriptors, ready to set. The garbage collector leaves its objects alone.
"""

import gc
import json
import linecache
import mmap
import signal
import os
import resource
import sys
import time
import types

# The working directory: the job's files are written there, and a program imports them from
# it. This process never puts it on sys.path (see the docstring).
CODE_DIR = "/tmp"
# What a program sees as its own file: argv[0], __file__, the name in its tracebacks (the
# code itself is compiled from memory; no file of that name is written).
PROGRAM_NAME = "solution.py"
# sys.path as the harness started with it (-I -S: the standard library alone): the path a
# test's process imports the harness's own lazy imports by (import_standard).
STANDARD_PATH = list(sys.path)

# What LeetCode-style code uses without importing it.
PRELUDE = """
from typing import *
import bisect, collections, functools, heapq, itertools, math, string
from collections import Counter, OrderedDict, defaultdict, deque
"""


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def build_list(values):
    head = None
    for value in reversed(values or []):
        head = ListNode(value, head)
    return head


def build_tree(values):
    """A tree from its level order, None standing for a missing child."""
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    level, i = [root], 1
    while level and i < len(values):
        next_level = []
        for node in level:
            for side in ("left", "right"):
                if i < len(values) and values[i] is not None:
                    child = TreeNode(values[i])
                    setattr(node, side, child)
                    next_level.append(child)
                i += 1
        level = next_level
    return root


def list_values(node):
    values, seen = [], set()
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        values.append(node.val)
        node = node.next
    return values


def tree_values(root):
    values, queue = [], [root]
    while queue:
        node = queue.pop(0)
        if node is None:
            values.append(None)
        else:
            values.append(node.val)
            queue.extend([node.left, node.right])
    while values and values[-1] is None:
        values.pop()
    return values


def node_type(annotation):
    """The LeetCode node type a declared type is about, and whether it is a list of them:
    ["TreeNode", false] for TreeNode or Optional[TreeNode]; None for any other type."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    for name in ("TreeNode", "ListNode"):
        if name in text:
            return [name, text.startswith(("List[", "list[", "typing.List["))]
    return None


BUILDERS = {"TreeNode": build_tree, "ListNode": build_list}


def convert(node, value):
    """A JSON argument as a parameter of node type `node` (see node_type)."""
    build = BUILDERS[node[0]]
    return [build(v) for v in value] if node[1] else build(value)


def to_json(value):
    """The value as plain JSON data; the worker writes it canonically."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, ListNode):
        return list_values(value)
    if isinstance(value, TreeNode):
        return tree_values(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else json.dumps(to_json(k)): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json(v) for v in value]
        try:
            items.sort()
        except TypeError:
            pass
        return items
    return value


# Made once: json.dumps with arguments builds an encoder at every call.
VALUE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def render(value):
    return VALUE_ENCODER.encode(to_json(value))


def import_standard(name):
    """The module of the standard library named `name`, for the harness's own use in a
    test's process, where a program finds its files first on sys.path: a file of the job's
    named traceback.py or textwrap.py is never what the harness's own code imports, unless
    the program imported it itself."""
    module = sys.modules.get(name)
    if module is None:
        path = sys.path
        sys.path = list(STANDARD_PATH)
        try:
            module = __import__(name)
        finally:
            sys.path = path
    return module


def describe(exc):
    """The exception as the interpreter prints it, without the harness's own frame."""
    # Imported by the first process that needs it: most jobs never describe an error, and
    # the harness imports it after the first test that did, for the tests after that.
    traceback = import_standard("traceback")

    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def memory_limit_bytes():
    """The container's memory limit, as the supervisor read it, or None."""
    text = os.environ.get("SANDBOX_MEMORY_BYTES", "")
    return int(text) if text.isdigit() else None


class Capture:
    """A file that stands in for one of the process's standard descriptors: one file for the
    whole job, emptied before each test. It has no name (O_TMPFILE), so it takes none of the
    job's files' names in /tmp."""

    def __init__(self, limit):
        self.fd = os.open(CODE_DIR, os.O_TMPFILE | os.O_RDWR, 0o600)
        self.limit = limit

    def reset(self):
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)

    def take(self):
        """What was written, up to the limit, and how many bytes were written in all."""
        size = os.fstat(self.fd).st_size
        data, wanted = b"", min(size, self.limit)
        while len(data) < wanted:
            chunk = os.pread(self.fd, wanted - len(data), len(data))
            if not chunk:
                break
            data += chunk
        return data.decode("utf-8", errors="replace"), size


class Outcome:
    """Where a test's process leaves its outcome: memory shared with it, its length first.
    Not a file (the code may fill /tmp) nor a pipe (which this process would have to drain
    while it waits, and which the code's own processes may hold open)."""

    def __init__(self, size):
        self.memory = mmap.mmap(-1, 8 + size)

    def clear(self):
        self.memory[:8] = bytes(8)

    def leave(self, outcome):
        """In the test's process; an outcome too large to hold is left out."""
        data = LINE_ENCODER.encode(outcome).encode()
        if len(data) <= len(self.memory) - 8:
            self.memory[8 : 8 + len(data)] = data
            self.memory[:8] = len(data).to_bytes(8, "little")

    def take(self):
        """The outcome left, or None."""
        size = int.from_bytes(self.memory[:8], "little")
        if not 0 < size <= len(self.memory) - 8:
            return None
        try:
            outcome = json.loads(self.memory[8 : 8 + size].decode())
        except ValueError:
            return None
        return outcome if isinstance(outcome, dict) else None


def compile_imports(job):
    """The job's import statements, compiled; one that does not compile stays text, to fail
    in its turn when the code loads."""
    statements = []
    for entry in job.get("imports") or []:
        statement = entry if entry.startswith(("import ", "from ")) else "import " + entry
        try:
            statements.append(compile(statement, "<imports>", "exec"))
        except Exception:
            statements.append(statement)
    return statements


class Code:
    """The job as every test's process needs it, prepared here once."""

    def __init__(self, job):
        self.job = job
        source = job["code"]
        # Tracebacks (and warnings, and inspect) then quote the user's own lines.
        linecache.cache["solution.py"] = (len(source), None, source.splitlines(True), "solution.py")
        self.compiled = compile(source, "solution.py", "exec")
        self.imports = compile_imports(job)
        # The prelude imported once: each process of a test runs the code in its own copy.
        self.prelude = {"__name__": "__main__", "__builtins__": __builtins__, "ListNode": ListNode, "TreeNode": TreeNode}
        exec(PRELUDE, self.prelude)
        self.signature = None  # signature_of() the function, once the code loaded


def namespace_for(code):
    """The prelude's namespace with the job's imports: this process's copy of it, so only in
    a process of the code's own."""
    namespace = code.prelude
    for statement in code.imports:
        if isinstance(statement, str):
            statement = compile(statement, "<imports>", "exec")
        exec(statement, namespace)
    return namespace


# Flags of a code object (as in inspect).
CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08


def parameters_of(function):
    """The names and annotations (None for none) of the function's parameters and its return
    annotation, as inspect.signature gives them. A plain function or method is read off its
    code object; anything else (a decorated function, a callable object) goes to inspect."""
    plain = function.__func__ if type(function) is types.MethodType else function
    if type(plain) is not types.FunctionType or plain.__dict__:
        return parameters_by_inspect(function)
    code = plain.__code__
    names, rest = list(code.co_varnames[: code.co_argcount]), code.co_argcount + code.co_kwonlyargcount
    varargs = code.co_flags & CO_VARARGS
    if varargs:
        names.append(code.co_varnames[rest])
    names += code.co_varnames[code.co_argcount : rest]
    if code.co_flags & CO_VARKEYWORDS:
        names.append(code.co_varnames[rest + 1 if varargs else rest])
    if plain is not function:
        # Bound: the first positional parameter is the instance; without one, inspect
        # finds no valid signature.
        if code.co_argcount:
            del names[0]
        elif not varargs:
            return [], [], None
    annotations = plain.__annotations__
    return names, [annotations.get(name) for name in names], annotations.get("return")


def parameters_by_inspect(function):
    import inspect  # a large import, for the unusual function alone

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        signature = inspect.Signature()
    empty, parameters = inspect.Parameter.empty, signature.parameters.values()
    returns = signature.return_annotation
    return (
        [p.name for p in parameters],
        [None if p.annotation is empty else p.annotation for p in parameters],
        None if returns is empty else returns,
    )


def load_function(code):
    """Runs the imports and the code; returns the function to call."""
    namespace = namespace_for(code)
    namespace["__name__"] = "solution"
    exec(code.compiled, namespace)
    name = code.job["function_name"]
    function = namespace.get(name)
    if not callable(function) or isinstance(function, type):
        solution = namespace.get("Solution")
        if not (isinstance(solution, type) and callable(getattr(solution, name, None))):
            raise LookupError(
                f"function '{name}' is not defined: define it at top level or as a method of class Solution"
            )
        function = getattr(solution(), name)
    return function


def signature_of(function):
    """What the tests need of the function's signature, as JSON: read once, where the code
    loads, and handed to each test's process."""
    names, annotations, returns = parameters_of(function)
    return {
        "parameters": names,
        "nodes": [None if annotation is None else node_type(annotation) for annotation in annotations],
        # A declared ListNode or TreeNode result that is None is the empty list or tree.
        "returns_node": returns is not None and node_type(returns) is not None,
    }


def arguments(raw, signature):
    args = raw if isinstance(raw, list) else [raw]
    names, nodes = signature["parameters"], signature["nodes"]
    converted = []
    for i, arg in enumerate(args):
        node = nodes[i] if i < len(nodes) else None
        if node is None:
            converted.append(arg)
            continue
        try:
            converted.append(convert(node, arg))
        except Exception as exc:
            raise ArgumentError(f"argument {i + 1} ({names[i]}): cannot convert {json.dumps(arg)[:100]}: {exc}")
    return converted


class ArgumentError(Exception):
    pass


def run_program(code):
    """Runs the whole program as `python3 solution.py ARGS < input` would, its input on
    descriptor 0 (which sys.stdin reads), its files importable from and readable in the
    working directory; returns its exit status and, when it raised, the error."""
    sys.argv = [PROGRAM_NAME, *(code.job.get("args") or [])]
    sys.path.insert(0, CODE_DIR)
    status, error = 0, None
    try:
        namespace = namespace_for(code)
        namespace["__file__"] = os.path.join(CODE_DIR, PROGRAM_NAME)
        exec(code.compiled, namespace)
    except SystemExit as exc:
        status = exit_status(exc.code)
    except MemoryError:
        raise
    except BaseException as exc:
        status, error = 1, describe(exc)
    shut_down()
    return status, error


def exit_status(code):
    """The status a process exits with for SystemExit(code), as the interpreter gives it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def shut_down():
    """What the interpreter does as a program ends before it flushes: it waits for the
    program's threads (a program may run its main() in one, for a larger stack) and runs its
    atexit functions."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    try:
        import atexit  # built in: no file can stand in for it

        atexit._run_exitfuncs()
    except BaseException:
        pass


def outcome_of_test(code, raw):
    """What one test gives, in the test's own process: value or error (and limit)."""
    if code.job.get("function_name") is None:
        begin = time.perf_counter_ns()
        try:
            status, error = run_program(code)
        except MemoryError:
            return {"time_ms": (time.perf_counter_ns() - begin) / 1e6, "exit_code": 1,
                    "error": "MemoryError: the program ran out of memory", "limit": "memory"}
        outcome = {"time_ms": (time.perf_counter_ns() - begin) / 1e6, "exit_code": status}
        if error:
            outcome["error"] = error
        elif status:
            outcome["error"] = f"the program exited with code {status}"
        return outcome
    function = load_function(code)
    try:
        args = arguments(raw, code.signature)
    except ArgumentError as exc:
        return {"time_ms": 0.0, "error": str(exc)}
    begin = time.perf_counter_ns()
    try:
        value = function(*args)
    except MemoryError:
        return {"time_ms": (time.perf_counter_ns() - begin) / 1e6,
                "error": "MemoryError: the test ran out of memory", "limit": "memory"}
    except BaseException as exc:
        return {"time_ms": (time.perf_counter_ns() - begin) / 1e6, "error": describe(exc)}
    outcome = {"time_ms": (time.perf_counter_ns() - begin) / 1e6}
    if value is None and code.signature["returns_node"]:
        value = []
    try:
        text = render(value)
    except MemoryError:
        outcome.update(error="MemoryError: the returned value is too large to render", limit="memory")
    except (TypeError, ValueError, RecursionError) as exc:
        outcome["error"] = f"the return value cannot be rendered as JSON: {exc}"
    else:
        size = len(text.encode("utf-8", errors="replace"))
        if size > int(code.job["value_limit_bytes"]):
            outcome["value_bytes"] = size
        else:
            outcome["value"] = text
    return outcome


def load_outcome(code):
    """Whether the code loads and the function is found, in a process of its own; with the
    function's signature."""
    started = time.perf_counter()
    outcome = {}
    if code.job.get("function_name") is not None:
        outcome = signature_of(load_function(code))
    outcome["loaded"] = (time.perf_counter() - started) * 1000
    return outcome


class Sandboxed:
    """Runs a piece of the job in a forked process and collects what it left."""

    def __init__(self, code, memory_limit):
        self.code = code
        limit = int(code.job["output_limit_bytes"])
        self.stdout, self.stderr = Capture(limit), Capture(limit)
        self.outcome = Outcome(int(code.job["value_limit_bytes"]) * 2 + 65536)
        # Below the container's limit, a runaway allocation is a MemoryError for its test
        # rather than a kill.
        self.address_space = (memory_limit * 85 // 100,) * 2 if memory_limit else None
        # The test's stdin is nothing (a program's, its input): its descriptor 0 becomes
        # /dev/null (input_file), which sys.stdin, made here and never read here, reads. So
        # are line buffers, which keep print() in order with writes straight to the
        # descriptor; this process writes nothing there.
        self.devnull = os.open(os.devnull, os.O_RDONLY)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)

    def run(self, piece, *args, stdin=None):
        """Returns (outcome or None, wait status, peak RSS in KiB, milliseconds the process
        took); `stdin` is the descriptor the process reads as its stdin (else /dev/null)."""
        self.stdout.reset()
        self.stderr.reset()
        self.outcome.clear()
        # Out of the collector's sight, this process's objects are not written by a
        # collection in the child (which would copy every page they are on).
        gc.freeze()
        begin = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            self.child(piece, args, self.devnull if stdin is None else stdin)
        _, status, rusage = os.wait4(pid, 0)
        took = (time.perf_counter_ns() - begin) / 1e6
        try:
            os.killpg(pid, signal.SIGKILL)  # whatever the test left running
        except OSError:
            pass
        return self.outcome.take(), status, rusage.ru_maxrss, took

    def child(self, piece, args, stdin):
        try:
            os.setpgid(0, 0)
            os.dup2(stdin, 0)
            os.dup2(self.stdout.fd, 1)
            os.dup2(self.stderr.fd, 2)
            for fd in {stdin, self.devnull, self.stdout.fd, self.stderr.fd}:
                os.close(fd)
            if self.address_space:
                resource.setrlimit(resource.RLIMIT_AS, self.address_space)
            try:
                outcome = piece(self.code, *args)
            except BaseException as exc:  # loading failed: a user's code may raise anything
                outcome = {"load_failed": describe(exc)}
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:  # the code's own stream, or one it closed
                    pass
            self.outcome.leave(outcome)
        finally:
            os._exit(0)


def undumpable():
    """Keeps this process out of reach of the user's code, which runs under the same uid:
    /proc/PID/mem, /fd and /environ become root's, and ptrace is refused. The image makes it
    so from the start (a process that runs a program it may not read is undumpable, and
    the harness's uid may not read python3): then its /proc files are already root's."""
    try:
        if os.stat("/proc/self/mem").st_uid != os.geteuid():
            return
    except OSError:
        pass
    import ctypes

    PR_SET_DUMPABLE = 4
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def death_of(status):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"the test's process was killed by signal {number} ({name})"
    return f"the test's process exited with code {os.WEXITSTATUS(status)} before reporting"


def input_file(raw):
    """A program's input as the descriptor it reads as stdin: a file in memory (not in /tmp,
    which the code may fill), so that sys.stdin.buffer, open(0) and os.read(0, n) all read
    it, as they would a redirected file."""
    text = raw if isinstance(raw, str) else LINE_ENCODER.encode(raw)
    fd = os.memfd_create("stdin", os.MFD_CLOEXEC)
    view = memoryview(text.encode("utf-8", errors="replace"))
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def write_files(files):
    """Writes the job's files into the working directory, each under its plain name (the
    worker refuses any other, and so does this); returns an error, or None."""
    for entry in files or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        content = entry.get("content") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\0" in name:
            return f"the file name {json.dumps(name)} is not a plain file name"
        if not isinstance(content, str):
            return f"the file {name} has no text content"
        try:
            # O_EXCL: a name given twice is refused, and no link is followed.
            fd = os.open(os.path.join(CODE_DIR, name),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                view = memoryview(content.encode("utf-8", errors="replace"))
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        except FileExistsError:
            return f"the file {name} is given twice"
        except OSError as exc:
            return f"the file {name} could not be written: {exc.strerror}"
    return None


def reply(path, event):
    """Writes one reply to the FIFO the supervisor made for it. Where the test's own code
    wrote there first, the supervisor took that and closed it: this one is then dropped."""
    line = LINE_ENCODER.encode(event).encode() + b"\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            while line:
                line = line[os.write(fd, line):]
        finally:
            os.close(fd)
    except OSError:
        pass


def main():
    undumpable()
    # The exit() and quit() that the site module (skipped: -S) would have made: programs end
    # with exit(3) as often as with sys.exit(3).
    import builtins, _sitebuiltins

    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    control = sys.stdin.buffer
    job = json.loads(control.readline().decode("utf-8"))
    # Before anything compiles, as a compiled language must (PROTOCOL.md, "Program mode").
    failure = write_files(job.get("files"))
    if failure:
        reply(job["reply"], {"event": "load_failed", "message": failure})
        return
    try:
        code = Code(job)
    except SyntaxError as exc:
        reply(job["reply"], {"event": "load_failed", "message": describe(exc)})
        return
    runner = Sandboxed(code, memory_limit_bytes())
    stdout, stderr = runner.stdout, runner.stderr

    outcome, status, _, _ = runner.run(load_outcome)
    if outcome is None or "load_failed" in outcome:
        message = outcome["load_failed"] if outcome else death_of(status)
        reply(job["reply"], {"event": "load_failed", "message": message})
        return
    reply(job["reply"], {"event": "loaded", "compile_time_ms": outcome.pop("loaded")})
    code.signature = outcome

    program = job.get("function_name") is None
    for line in control:
        test = json.loads(line.decode("utf-8"))
        stdin = input_file(test["input"]) if program else None
        try:
            outcome, status, peak_kb, took = runner.run(outcome_of_test, test["input"], stdin=stdin)
        finally:
            if stdin is not None:
                os.close(stdin)
        event = {"event": "test", "index": test["index"], "time_ms": 0.0}
        if outcome is None and program and os.WIFEXITED(status):
            # The program ended its process itself (os._exit): that is its exit status.
            event["time_ms"] = took
            event["exit_code"] = os.WEXITSTATUS(status)
            if event["exit_code"]:
                event["error"] = f"the program exited with code {event['exit_code']}"
        elif outcome is None:
            event["error"] = death_of(status)
        elif "load_failed" in outcome:
            event["error"] = outcome["load_failed"]
        else:
            for key in ("time_ms", "value", "value_bytes", "error", "exit_code"):
                if key in outcome:
                    event[key] = outcome[key]
            if outcome.get("limit") == "memory":
                event["limit"] = "memory"
        printed, event["stdout_bytes"] = stdout.take()
        event["stderr"], event["stderr_bytes"] = stderr.take()
        if program:
            event["output"], event["stdout"] = printed, ""
        else:
            event["stdout"] = printed
        event["memory_kb"] = peak_kb
        reply(test["reply"], event)
        if "error" in event:
            # Its process may have imported traceback to describe the error: the tests
            # after it find it imported (see describe).
            import traceback


if __name__ == "__main__":
    main()
