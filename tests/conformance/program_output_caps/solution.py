n = int(input())
print("x" * n, end="")
