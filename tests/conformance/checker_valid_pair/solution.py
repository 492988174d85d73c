def pair_with_sum(nums: list[int], target: int) -> list[int]:
    first = {}
    for j, n in enumerate(nums):
        i = first.get(target - n)
        if i is not None:
            return [i, j]
        first.setdefault(n, j)
    return []
