/**
 * @param {number} n
 * @return {number}
 */
function checkPositive(n) {
  if (n < 0) {
    throw new Error("negative");
  }
  return n;
}
