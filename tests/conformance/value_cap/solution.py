def repeatA(n):
    return "a" * n
