import ctypes, os, socket, subprocess, sys


def sysv_objects():
    found = []
    for kind in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{kind}") as table:
            found += [f"{kind} {line.split()[1]}" for line in list(table)[1:]]
    return found


def other_processes():
    """Live processes of this uid other than this one and the harness that forked it."""
    mine, found = {os.getpid(), os.getppid()}, []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(pid) not in mine and fields["Uid"].split()[0] == str(os.getuid()) \
                and fields["State"].split()[0] not in ("Z", "X"):
            found.append(fields["Name"].strip())
    return found


def check(_):
    """What a sandbox shows a submission: the same whatever ran in it before."""
    left = []
    planted = {"planted", ".hidden", "dir", "link", "fifo"} & set(os.listdir("/tmp"))
    if planted:
        left.append(f"/tmp holds {sorted(planted)}")
    if os.getcwd() != "/tmp":
        left.append(f"cwd {os.getcwd()}")
    if "PLANTED" in os.environ:
        left.append("environment")
    left += sysv_objects()
    left += [f"process {name}" for name in other_processes()]
    probe = socket.socket(socket.AF_UNIX)
    try:
        probe.bind("\0planted")
    except OSError:
        left.append("abstract socket")
    try:
        block = bytearray(150 << 20)  # most of what 256 MB leaves a test: none taken by another
        del block
    except MemoryError:
        left.append("memory")
    children = []
    try:
        for _ in range(40):  # most of the 64 pids
            children.append(subprocess.Popen(["true"]))
    except OSError:
        left.append("pids")
    for child in children:
        child.wait()
    return left or "clean"
