"""The Python sandbox harness: one job in on stdin, events out on the original stdout.

The protocol is harness/PROTOCOL.md. The user's code runs in this process; what it prints
goes to per-test capture files, never to the result channel.
"""

import inspect
import io
import json
import linecache
import os
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


class Capture:
    """A file that stands in for one of the process's standard descriptors."""

    def __init__(self, name, target_fd, limit):
        self.fd = os.open(os.path.join(CAPTURE_DIR, name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(self.fd, target_fd)
        self.limit = limit

    def take(self):
        size = os.lseek(self.fd, 0, os.SEEK_END)
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks, wanted = [], min(size, self.limit)
        while wanted > 0:
            chunk = os.read(self.fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        text = b"".join(chunks).decode("utf-8", errors="replace")
        if size > self.limit:
            text += f"\n[output truncated: {size} bytes written, {self.limit} kept]"
        return text


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


def main():
    job = json.loads(sys.stdin.buffer.readline().decode("utf-8"))
    nonce = job["nonce"]
    limit = int(job.get("output_limit_bytes", 65536))

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")

    def emit(event):
        channel.write(nonce + " " + json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        channel.flush()

    stdout, stderr = Capture(".stdout", 1, limit), Capture(".stderr", 2, limit)
    # Line buffering keeps print() in order with writes straight to the descriptor.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    sys.stdin = open(os.devnull)

    started = time.perf_counter()
    program = job.get("function_name") is None
    try:
        compiled = compile_code(job)
        if not program:
            function, parameters, converters, returns_node = load_function(job, compiled)
    except BaseException as exc:  # a user's code may raise anything, SystemExit included
        sys.stdout.flush()
        sys.stderr.flush()
        emit({"event": "load_failed", "message": describe(exc)})
        return
    emit({"event": "loaded", "compile_time_ms": (time.perf_counter() - started) * 1000})

    for index, raw in enumerate(job["inputs"]):
        event = {"event": "test", "index": index}
        begin = time.perf_counter_ns()
        if program:
            error = run_program(job, compiled, raw)
            event["time_ms"] = (time.perf_counter_ns() - begin) / 1e6
            if error:
                event["error"] = error
        else:
            try:
                value = function(*arguments(raw, parameters, converters))
            except ArgumentError as exc:
                event["time_ms"] = 0.0
                event["error"] = str(exc)
            except BaseException as exc:
                event["time_ms"] = (time.perf_counter_ns() - begin) / 1e6
                event["error"] = describe(exc)
            else:
                event["time_ms"] = (time.perf_counter_ns() - begin) / 1e6
                if value is None and returns_node:
                    value = []
                try:
                    event["value"] = render(value)
                except (TypeError, ValueError, RecursionError) as exc:
                    event["error"] = f"the return value cannot be rendered as JSON: {exc}"
        sys.stdout.flush()
        sys.stderr.flush()
        if program:
            event["output"] = stdout.take()
            event["stdout"] = ""
        else:
            event["stdout"] = stdout.take()
        event["stderr"] = stderr.take()
        emit(event)
    emit({"event": "done"})


def run_program(job, compiled, stdin_text):
    """Runs the whole program once with `stdin_text` as its stdin; returns an error or None."""
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
    except BaseException as exc:
        return describe(exc)
    finally:
        sys.stdin = open(os.devnull)
    return None


if __name__ == "__main__":
    main()
