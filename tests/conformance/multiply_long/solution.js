/**
 * @param {number} a
 * @param {number} b
 * @return {number}
 */
function multiply(a, b) {
  return a * b;
}
