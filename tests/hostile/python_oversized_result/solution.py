import os, sys


def f(i):
    noise = "\x01" * 8000
    os.write(1, noise.encode())
    os.write(2, noise.encode())
    return "\x02" * 5000
