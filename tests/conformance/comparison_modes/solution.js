/**
 * @param {number} n
 * @return {number[]}
 */
function thirds(n) {
  return [(2 * n) / 3, n / 3];
}
