def f(power, offset):
    base = 10 ** 30 if power == "1e30" else 2 ** power
    return base + offset
