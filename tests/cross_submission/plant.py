import ctypes, os, socket, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000


def plant(_):
    """Leaves behind everything a later submission in the same sandbox could find."""
    os.makedirs("/tmp/dir/deeper", exist_ok=True)
    for path in ("/tmp/planted", "/tmp/dir/file", "/tmp/dir/deeper/file", "/tmp/.hidden"):
        with open(path, "w") as out:
            out.write("planted")
    os.symlink("/etc/passwd", "/tmp/link")
    os.symlink("/tmp", "/tmp/dir/loop")
    os.mkfifo("/tmp/fifo")
    os.chmod("/tmp/dir", 0o500)  # a directory its owner cannot write, to be removed anyway
    for key in (0x5eed, 0x5eee):
        libc.shmget(key, 1 << 20, IPC_CREAT | 0o666)
    libc.semget(0x5eed, 1, IPC_CREAT | 0o666)
    libc.msgget(0x5eed, IPC_CREAT | 0o666)
    libc.mq_open(b"/planted", os.O_CREAT | os.O_RDWR, 0o666, None)  # refused by seccomp
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("\0planted")
    listener.listen()
    # Processes that would outlive it: a session of their own, one holding memory, many.
    hold = "import time; block = bytearray(120 << 20); time.sleep(120)"
    subprocess.Popen([sys.executable, "-c", hold], start_new_session=True)
    for _ in range(20):
        subprocess.Popen(["sleep", "120"], start_new_session=True)
    os.environ["PLANTED"] = "1"
    os.chdir("/tmp/dir")
    return "planted"
