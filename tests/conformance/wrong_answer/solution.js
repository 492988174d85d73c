/**
 * @param {number} a
 * @param {number} b
 * @return {number}
 */
function addNumbers(a, b) {
  return a - b;
}
