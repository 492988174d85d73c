/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    const line = 'y'.repeat(100);
    for (let i = 0; i < 20_000; i++) console.log(line); // about 2 MB
    return 1;
  }
  return n;
}
