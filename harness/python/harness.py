"""The Python sandbox harness: one job in on stdin, events out on the original stdout.

The protocol is harness/PROTOCOL.md. The user's code runs in this process; what it prints
goes to per-test capture files, never to the result channel.
"""

import json
import linecache
import os
import sys
import time
import traceback

CAPTURE_DIR = "/tmp"
SAFE_INTEGER = 2**53


def canonical(value):
    """The value as every harness renders it: whole floats as integers, sets as lists."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < SAFE_INTEGER:
            return int(value)
        return value
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str) else json.dumps(canonical(k))): canonical(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [canonical(v) for v in value]
        try:
            items.sort()
        except TypeError:
            pass
        return items
    return value


def render(value):
    return json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"))


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


def load(job):
    """Runs the imports and the code; returns the function to call."""
    namespace = {"__name__": "solution", "__builtins__": __builtins__}
    # LeetCode-style annotations (List[int], Optional[str]) work without an import.
    exec("from typing import *", namespace)
    for entry in job.get("imports") or []:
        statement = entry if entry.startswith(("import ", "from ")) else "import " + entry
        exec(compile(statement, "<imports>", "exec"), namespace)
    code = job["code"]
    # Tracebacks then quote the user's own lines.
    linecache.cache["solution.py"] = (len(code), None, code.splitlines(True), "solution.py")
    exec(compile(code, "solution.py", "exec"), namespace)
    name = job["function_name"]
    function = namespace.get(name)
    if callable(function) and not isinstance(function, type):
        return function
    solution = namespace.get("Solution")
    if isinstance(solution, type) and callable(getattr(solution, name, None)):
        return getattr(solution(), name)
    raise LookupError(
        f"function '{name}' is not defined: define it at top level or as a method of class Solution"
    )


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
    try:
        function = load(job)
    except BaseException as exc:  # a user's code may raise anything, SystemExit included
        sys.stdout.flush()
        sys.stderr.flush()
        emit({"event": "load_failed", "message": describe(exc)})
        return
    emit({"event": "loaded", "compile_time_ms": (time.perf_counter() - started) * 1000})

    for index, raw in enumerate(job["inputs"]):
        args = raw if isinstance(raw, list) else [raw]
        event = {"event": "test", "index": index}
        begin = time.perf_counter_ns()
        try:
            value = function(*args)
        except BaseException as exc:
            event["time_ms"] = (time.perf_counter_ns() - begin) / 1e6
            event["error"] = describe(exc)
        else:
            event["time_ms"] = (time.perf_counter_ns() - begin) / 1e6
            try:
                event["value"] = render(value)
            except (TypeError, ValueError, RecursionError) as exc:
                event["error"] = f"the return value cannot be rendered as JSON: {exc}"
        sys.stdout.flush()
        sys.stderr.flush()
        event["stdout"] = stdout.take()
        event["stderr"] = stderr.take()
        emit(event)
    emit({"event": "done"})


if __name__ == "__main__":
    main()
