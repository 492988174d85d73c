import sys


def shout(n, m):
    sys.stdout.write("x" * n)
    sys.stderr.write("y" * m)
    return n
