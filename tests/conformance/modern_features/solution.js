/** The sum of the squares of the even values: written for Node 18 (a private class field). */
class EvenSquares {
  #total = 0n;

  add(n) {
    if (n % 2 === 0) this.#total += BigInt(n) ** 2n;
    return this;
  }

  get total() {
    return this.#total;
  }
}

/**
 * @param {number[]} nums
 * @return {number[]}
 */
function stats(nums) {
  // structuredClone: sort a copy, the argument untouched.
  const sorted = structuredClone(nums).sort((a, b) => a - b);
  const seen = {};
  let distinct = 0;
  for (const n of nums) {
    if (!Object.hasOwn(seen, n)) distinct++;
    seen[n] ??= true;
  }
  const squares = new EvenSquares();
  // findLast: no even value at all leaves the sum at 0 without going through them.
  if (nums.findLast((n) => n % 2 === 0) !== undefined) nums.forEach((n) => squares.add(n));
  return [sorted.at(0), sorted.at(-1), distinct, squares.total];
}
