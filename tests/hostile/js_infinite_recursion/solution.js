/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    const down = (depth) => down(depth + 1) + 1; // no base case
    return down(0);
  }
  return n;
}
