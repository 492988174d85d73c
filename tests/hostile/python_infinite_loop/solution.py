def f(x):
    while x == 1:
        pass
    return x
