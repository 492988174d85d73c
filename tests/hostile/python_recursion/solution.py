def f(x):
    return f(x + 1) if x >= 1 else x
