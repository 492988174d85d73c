def checkPositive(n):
    if n < 0:
        raise ValueError("negative")
    return n
