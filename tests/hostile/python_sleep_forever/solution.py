import time
def f(x):
    if x == 1:
        time.sleep(10**6)
    return x
