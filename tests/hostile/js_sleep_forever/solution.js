/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    // Nobody ever notifies this cell: the main thread blocks for good, with no timer or
    // event that could wake it.
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 0);
  }
  return n;
}
