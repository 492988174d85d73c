/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    // Every array stays reachable, so the heap only grows until V8 gives up.
    const hoard = [];
    for (;;) hoard.push(new Array(1000).fill(n));
  }
  return n;
}
