import sys


def read_text(stream):
    """One length-prefixed text: a line with its length in bytes, the bytes, then "\n"."""
    length = int(stream.readline())
    text = stream.read(length)
    stream.read(1)
    return text.decode()


def verdict(code, *lines):
    print("\n".join(lines))
    sys.exit(code)


def main():
    stream = sys.stdin.buffer
    given, expected, actual = (read_text(stream) for _ in range(3))
    numbers = [int(token) for token in given.split()]
    try:
        answer = [int(token) for token in actual.split()]
    except ValueError:
        verdict(2, "wrong numbers")
    if sorted(answer) != sorted(numbers):
        verdict(2, "wrong numbers")
    if answer != sorted(numbers, reverse=expected.strip() == "descending"):
        verdict(1, "not sorted")
    if expected.strip() == "partial":
        verdict(7, "0.5", "partial")
    verdict(0, "ok")


main()
