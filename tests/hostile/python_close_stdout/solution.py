import os
def f(x):
    os.close(1)
    os.close(2)
    return x
