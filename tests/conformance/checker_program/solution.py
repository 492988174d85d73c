import sys

print(" ".join(map(str, sorted(map(int, sys.stdin.read().split())))))
