/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    // Every array stays reachable, so the heap only grows until V8 gives up; arrays of a
    // million elements (8 MB each) get there in well under a second.
    const hoard = [];
    for (;;) hoard.push(new Array(1_000_000).fill(n + 0.5));
  }
  return n;
}
