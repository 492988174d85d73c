def f(x):
    if x == 1:
        for _ in range(200000):
            print('y' * 50)
    return x
