def f(x):
    if x == 1:
        blocks = [bytearray(64 << 20) for _ in range(64)]
    return x
