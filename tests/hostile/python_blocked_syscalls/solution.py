import ctypes, errno, platform

NUMBERS = {
    "x86_64": {"io_uring_setup": 425, "userfaultfd": 323, "bpf": 321, "perf_event_open": 298,
               "keyctl": 250, "add_key": 248, "unshare_user": 272, "mount": 165,
               "ptrace": 101, "process_vm_readv": 310},
    "aarch64": {"io_uring_setup": 425, "userfaultfd": 282, "bpf": 280, "perf_event_open": 241,
                "keyctl": 219, "add_key": 217, "unshare_user": 97, "mount": 40,
                "ptrace": 117, "process_vm_readv": 270},
}
CLONE_NEWUSER = 0x10000000


def f(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    number = NUMBERS[platform.machine()][name]
    args = {"unshare_user": (CLONE_NEWUSER,), "ptrace": (16, 1, 0, 0)}.get(name, (0, 0, 0, 0, 0))
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    if result == -1 and ctypes.get_errno() in (errno.EPERM, errno.ENOSYS):
        return "blocked"
    return f"allowed: {result}, errno {ctypes.get_errno()}"
