n = int(input())
print(" ".join(str(i) for i in range(1, n + 1)) + "   ")
for line in ("c", "b", "a"):
    print(line)
print(f"{1 / 3:.6f}")
