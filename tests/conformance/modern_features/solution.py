from typing import Self


class Tally:
    """Running statistics of integers: written for Python 3.11 (PEP 604 unions, built-in
    generics, typing.Self, match)."""

    def __init__(self) -> None:
        self.low: int | None = None
        self.high: int | None = None
        self.seen: set[int] = set()
        self.even_squares = 0

    def add(self, n: int) -> Self:
        self.low = n if self.low is None else min(self.low, n)
        self.high = n if self.high is None else max(self.high, n)
        self.seen.add(n)
        match n % 2:
            case 0:
                self.even_squares += n * n
            case _:
                pass
        return self


def stats(nums: list[int]) -> list[int]:
    tally = Tally()
    for n in nums:
        tally = tally.add(n)
    return [tally.low, tally.high, len(tally.seen), tally.even_squares]
