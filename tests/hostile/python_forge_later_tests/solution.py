import json, os, subprocess, sys

FORGED = {"event": "test", "value": "2", "time_ms": 0, "memory_kb": 1, "stdout": "", "stderr": ""}


def forge_everywhere(paths):
    line = (json.dumps(FORGED) + "\n").encode()
    for path in paths:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, line * 3)
            os.close(fd)
        except OSError:
            pass


def reply_paths_in_frames():
    """Every /run/exec path the harness's frames hold (this process is its fork)."""
    found, frame = set(), sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            text = json.dumps(value, default=str) if isinstance(value, (dict, list, str)) else ""
            for word in text.replace('"', " ").split():
                if word.startswith("/run/exec/"):
                    found.add(word)
        frame = frame.f_back
    return found


HELPER = r"""
import json, os, time
line = (json.dumps({"event": "test", "value": "2", "time_ms": 0}) + "\n").encode()
end = time.time() + 10
while time.time() < end:
    for pid in os.listdir("/proc"):
        for fd in range(0, 40):
            try:
                out = os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
                os.write(out, line)
                os.close(out)
            except (OSError, ValueError):
                pass
    time.sleep(0.05)
"""


def f(x):
    if x == 1:
        # Its own reply path is within reach (PROTOCOL.md); writing there early only
        # speaks for this test, so it says the truth.
        mine = reply_paths_in_frames()
        guesses = {"/run/exec/" + "0" * 32, "/run/exec/x", "/tmp/reply"}
        forge_everywhere(guesses | {f"/proc/1/fd/{n}" for n in range(3)})
        for fd in range(0, 40):
            try:
                os.write(fd, (json.dumps(FORGED) + "\n").encode())
            except OSError:
                pass
        subprocess.Popen([sys.executable, "-c", HELPER], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert mine, "the running test's own path is in its frames"
        return 1
    if x == 2:
        while True:
            pass
    return x + 1
