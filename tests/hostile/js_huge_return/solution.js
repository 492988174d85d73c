/**
 * @param {number} n
 * @return {string|number}
 */
function f(n) {
  if (n === 1) return 'x'.repeat(50_000_000); // 50 MB of JSON, far past the value limit
  return n;
}
