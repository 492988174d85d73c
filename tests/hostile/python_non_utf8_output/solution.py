import sys
def f(x):
    sys.stdout.buffer.write(b'\xff\xfe ok\n')
    sys.stdout.flush()
    return x
