/**
 * @param {number[]} nums
 * @return {number}
 */
function average(nums) {
  return nums.reduce((sum, n) => sum + n, 0) / nums.length;
}
