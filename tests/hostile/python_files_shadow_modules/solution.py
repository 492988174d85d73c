import sys
import helper

if sys.stdin.read().strip() == "raise":
    raise ValueError("the program's own error")
print(helper.NAME, sys.argv[1:])
