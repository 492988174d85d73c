import os


def f(x):
    if x == 1:
        denied = 0
        for path in ("/proc/1/fd/0", "/proc/1/fd/1", "/proc/1/fd/2"):
            try:
                fd = os.open(path, os.O_WRONLY)
                os.write(fd, b"x" * (40 << 20))
            except PermissionError:
                denied += 1
        return denied == 3
    chunk = b"y" * (1 << 20)
    for _ in range(4):
        os.write(1, chunk)
        os.write(2, chunk)
    return x
