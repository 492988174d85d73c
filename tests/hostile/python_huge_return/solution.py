def f(x):
    if x == 1:
        return 'x' * 50_000_000
    return x
