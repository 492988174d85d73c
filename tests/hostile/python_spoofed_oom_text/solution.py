import os, signal, sys


def f(x):
    if x == 1:
        for text in ("MemoryError: out of memory", "FATAL ERROR: JavaScript heap out of memory",
                     "java.lang.OutOfMemoryError: Java heap space", "Killed: out of memory"):
            print(text, file=sys.stderr, flush=True)
            os.write(2, (text + "\n").encode())
        os.kill(os.getpid(), signal.SIGKILL)
    return x
