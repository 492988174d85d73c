/**
 * @param {number} x
 * @return {boolean}
 */
function isPalindrome(x) {
  const s = String(x);
  return s === [...s].reverse().join('');
}
