def average(nums):
    return sum(nums) / len(nums)
