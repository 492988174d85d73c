"""The Python sandbox harness: the job and then one test at a time on stdin, each reply
written to the path the supervisor named for it.

The protocol is harness/PROTOCOL.md. This process never runs the user's code: it forks one
process per test (and one to load the code first), each of which runs the code and hands
back its outcome on a pipe, and writes the reply itself. It is undumpable, so that a test's
process, which shares its uid, cannot read or rewrite it through /proc or ptrace and so
live on in it. What a test prints goes to capture files.
"""

import inspect
import io
import json
import select
import signal
import linecache
import os
import resource
import sys
import time
import traceback

CAPTURE_DIR = "/tmp"

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


def converter(annotation):
    """How a JSON argument becomes the declared parameter, for LeetCode's node types."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    many = text.startswith(("List[", "list[", "typing.List["))
    for name, build in (("TreeNode", build_tree), ("ListNode", build_list)):
        if name in text:
            if many:
                return lambda values: [build(v) for v in values]
            return build
    return None


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


def render(value):
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def describe(exc):
    """The exception as the interpreter prints it, without the harness's own frame."""
    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def memory_limit_bytes():
    """The container's memory limit, as the supervisor read it, or None."""
    text = os.environ.get("SANDBOX_MEMORY_BYTES", "")
    return int(text) if text.isdigit() else None


class Capture:
    """A file that stands in for one of the process's standard descriptors."""

    def __init__(self, name, limit):
        self.fd = os.open(os.path.join(CAPTURE_DIR, name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self.limit = limit

    def reset(self):
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)

    def take(self):
        """What was written, up to the limit, and how many bytes were written in all."""
        size = os.lseek(self.fd, 0, os.SEEK_END)
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks, wanted = [], min(size, self.limit)
        while wanted > 0:
            chunk = os.read(self.fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks).decode("utf-8", errors="replace"), size


def namespace_for(job):
    namespace = {"__name__": "__main__", "__builtins__": __builtins__, "ListNode": ListNode, "TreeNode": TreeNode}
    exec(PRELUDE, namespace)
    for entry in job.get("imports") or []:
        statement = entry if entry.startswith(("import ", "from ")) else "import " + entry
        exec(compile(statement, "<imports>", "exec"), namespace)
    return namespace


def compile_code(job):
    code = job["code"]
    # Tracebacks then quote the user's own lines.
    linecache.cache["solution.py"] = (len(code), None, code.splitlines(True), "solution.py")
    return compile(code, "solution.py", "exec")


def load_function(job, compiled):
    """Runs the imports and the code; returns the function and its argument converters."""
    namespace = namespace_for(job)
    namespace["__name__"] = "solution"
    exec(compiled, namespace)
    name = job["function_name"]
    function = namespace.get(name)
    if not callable(function) or isinstance(function, type):
        solution = namespace.get("Solution")
        if not (isinstance(solution, type) and callable(getattr(solution, name, None))):
            raise LookupError(
                f"function '{name}' is not defined: define it at top level or as a method of class Solution"
            )
        function = getattr(solution(), name)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        signature = inspect.Signature()
    parameters = list(signature.parameters.values())
    converters = [converter(p.annotation) if p.annotation is not p.empty else None for p in parameters]
    # A declared ListNode or TreeNode result that is None is the empty list or tree.
    returns_node = signature.return_annotation is not signature.empty and converter(signature.return_annotation)
    return function, parameters, converters, bool(returns_node)


def arguments(raw, parameters, converters):
    args = raw if isinstance(raw, list) else [raw]
    converted = []
    for i, arg in enumerate(args):
        convert = converters[i] if i < len(converters) else None
        if convert is None:
            converted.append(arg)
            continue
        try:
            converted.append(convert(arg))
        except Exception as exc:
            raise ArgumentError(f"argument {i + 1} ({parameters[i].name}): cannot convert {json.dumps(arg)[:100]}: {exc}")
    return converted


class ArgumentError(Exception):
    pass


def run_program(job, compiled, stdin_text):
    """Runs the whole program with `stdin_text` as its stdin; returns an error or None."""
    sys.stdin = io.StringIO(stdin_text)
    try:
        exec(compiled, namespace_for(job))
    except SystemExit as exc:
        code = exc.code
        if code not in (None, 0):
            if not isinstance(code, int):
                print(code, file=sys.stderr)
                code = 1
            return f"the program exited with code {code}"
    except MemoryError:
        raise
    except BaseException as exc:
        return describe(exc)
    return None


def outcome_of_test(job, compiled, raw):
    """What one test gives, in the test's own process: value or error (and limit)."""
    if job.get("function_name") is None:
        begin = time.perf_counter_ns()
        try:
            error = run_program(job, compiled, raw)
        except MemoryError:
            return {"time_ms": (time.perf_counter_ns() - begin) / 1e6,
                    "error": "MemoryError: the program ran out of memory", "limit": "memory"}
        outcome = {"time_ms": (time.perf_counter_ns() - begin) / 1e6}
        if error:
            outcome["error"] = error
        return outcome
    function, parameters, converters, returns_node = load_function(job, compiled)
    try:
        args = arguments(raw, parameters, converters)
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
    if value is None and returns_node:
        value = []
    try:
        text = render(value)
    except MemoryError:
        outcome.update(error="MemoryError: the returned value is too large to render", limit="memory")
    except (TypeError, ValueError, RecursionError) as exc:
        outcome["error"] = f"the return value cannot be rendered as JSON: {exc}"
    else:
        size = len(text.encode("utf-8", errors="replace"))
        if size > int(job["value_limit_bytes"]):
            outcome["value_bytes"] = size
        else:
            outcome["value"] = text
    return outcome


def load_outcome(job, compiled):
    """Whether the code loads and the function is found, in a process of its own."""
    started = time.perf_counter()
    if job.get("function_name") is not None:
        load_function(job, compiled)
    return {"loaded": (time.perf_counter() - started) * 1000}


class Sandboxed:
    """Runs a piece of the job in a forked process and collects what it hands back."""

    def __init__(self, job, compiled, stdout, stderr, memory_limit):
        self.job, self.compiled = job, compiled
        self.stdout, self.stderr = stdout, stderr
        self.memory_limit = memory_limit
        # Child exits wake the select() below through this pipe.
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def run(self, piece, *args):
        """Returns (outcome or None, wait status, peak RSS in KiB)."""
        self.stdout.reset()
        self.stderr.reset()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(result_read)
            self.child(result_write, piece, args)
        os.close(result_write)
        data, status, rusage = self.collect(pid, result_read)
        try:
            os.killpg(pid, signal.SIGKILL)  # whatever the test left running
        except OSError:
            pass
        # The last line: the harness writes it after the user's code is done, so a line the
        # code wrote into the pipe itself is not taken for the outcome.
        lines = [l for l in data.split(b"\n") if l.strip()]
        line = lines[-1] if lines else b""
        try:
            outcome = json.loads(line) if line else None
        except ValueError:
            outcome = None
        return (outcome if isinstance(outcome, dict) else None), status, rusage.ru_maxrss

    def child(self, result_write, piece, args):
        try:
            os.setpgid(0, 0)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(self.wake_read)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(self.stdout.fd, 1)
            os.dup2(self.stderr.fd, 2)
            for fd in (devnull, self.stdout.fd, self.stderr.fd):
                os.close(fd)
            sys.stdin = open(os.devnull)
            # Line buffering keeps print() in order with writes straight to the descriptor.
            sys.stdout.reconfigure(line_buffering=True)
            sys.stderr.reconfigure(line_buffering=True)
            if self.memory_limit:
                # Below the container's limit, a runaway allocation is a MemoryError for
                # its test rather than a kill.
                resource.setrlimit(resource.RLIMIT_AS, (self.memory_limit * 85 // 100,) * 2)
            try:
                outcome = piece(self.job, self.compiled, *args)
            except BaseException as exc:  # loading failed: a user's code may raise anything
                outcome = {"load_failed": describe(exc)}
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(result_write, json.dumps(outcome, ensure_ascii=False).encode() + b"\n")
        finally:
            os._exit(0)

    def collect(self, pid, result_read):
        """Reads the child's pipe until the child exits, then what is left in it: a process
        the test left behind may hold the pipe open, and is not waited for."""
        os.set_blocking(result_read, False)
        cap = int(self.job["value_limit_bytes"]) * 2 + 65536
        data, watched = bytearray(), [result_read, self.wake_read]
        while True:
            done, status, rusage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select(watched, [], [])
            if self.wake_read in ready:
                try:
                    os.read(self.wake_read, 4096)
                except BlockingIOError:
                    pass
            if result_read in ready and not self.read_into(result_read, data, cap):
                watched = [self.wake_read]  # end of file: only the exit is left to wait for
        while self.read_into(result_read, data, cap):
            pass
        os.close(result_read)
        return bytes(data), status, rusage

    @staticmethod
    def read_into(fd, data, cap):
        """Appends what can be read now (up to `cap` in all); False at end of file or when
        nothing is waiting."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return False
        if len(data) < cap:
            data += chunk[: cap - len(data)]
        return bool(chunk)


def undumpable():
    """Keeps this process out of reach of the user's code, which runs under the same uid:
    /proc/PID/mem, /fd and /environ become root's, and ptrace is refused."""
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


def reply(path, event):
    """Writes one reply to the FIFO the supervisor made for it. Where the test's own code
    wrote there first, the supervisor took that and closed it: this one is then dropped."""
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
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
    control = sys.stdin.buffer
    job = json.loads(control.readline().decode("utf-8"))
    output_limit = int(job["output_limit_bytes"])
    stdout, stderr = Capture(".stdout", output_limit), Capture(".stderr", output_limit)
    try:
        compiled = compile_code(job)
    except SyntaxError as exc:
        reply(job["reply"], {"event": "load_failed", "message": describe(exc)})
        return
    # The usual modules, imported once here and inherited by every test's process.
    exec(PRELUDE, {})
    runner = Sandboxed(job, compiled, stdout, stderr, memory_limit_bytes())

    outcome, status, _ = runner.run(load_outcome)
    if outcome is None or "load_failed" in outcome:
        message = outcome["load_failed"] if outcome else death_of(status)
        reply(job["reply"], {"event": "load_failed", "message": message})
        return
    reply(job["reply"], {"event": "loaded", "compile_time_ms": outcome["loaded"]})

    program = job.get("function_name") is None
    for line in control:
        test = json.loads(line.decode("utf-8"))
        outcome, status, peak_kb = runner.run(outcome_of_test, test["input"])
        event = {"event": "test", "index": test["index"], "time_ms": 0.0}
        if outcome is None:
            event["error"] = death_of(status)
        elif "load_failed" in outcome:
            event["error"] = outcome["load_failed"]
        else:
            for key in ("time_ms", "value", "value_bytes", "error"):
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


if __name__ == "__main__":
    main()
