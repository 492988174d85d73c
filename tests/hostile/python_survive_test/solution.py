import os, subprocess, sys, time


def others():
    """Live processes of this uid other than this one and its parent (the harness)."""
    mine = {os.getpid(), os.getppid()}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in mine:
            continue
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        uid = [l for l in status.splitlines() if l.startswith("Uid:")][0].split()[1]
        state = [l for l in status.splitlines() if l.startswith("State:")][0].split()[1]
        if uid == str(os.getuid()) and state not in ("Z", "X"):
            found.append(pid)
    return found


def f(x):
    if x == 1:
        subprocess.Popen([sys.executable, "-c",
                          "import time; time.sleep(1); open('/tmp/marker', 'w').write('alive')"],
                         start_new_session=True)
        return True
    time.sleep(2)
    return not others() and not os.path.exists("/tmp/marker")
