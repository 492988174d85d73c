class Solution {
  /**
   * @param {number[]} nums
   * @param {number} target
   * @return {number[]}
   */
  twoSum(nums, target) {
    const seen = new Map();
    for (const [i, n] of nums.entries()) {
      if (seen.has(target - n)) return [seen.get(target - n), i];
      seen.set(n, i);
    }
    return [];
  }
}
