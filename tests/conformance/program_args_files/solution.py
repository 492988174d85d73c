import sys

import helper

n = int(input())
print(f"args: {len(sys.argv) - 1}")
for arg in sys.argv[1:]:
    print(arg)
print(f"twice: {helper.twice(n)}")
with open("data.txt") as data:
    print(f"data: {data.readline().rstrip()}")
