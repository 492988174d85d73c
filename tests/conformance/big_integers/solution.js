/**
 * Integers beyond 2^53 arrive as BigInt, the others as numbers: add them as BigInt.
 * @param {number|bigint} a
 * @param {number|bigint} b
 * @return {bigint}
 */
function addLongs(a, b) {
  return BigInt(a) + BigInt(b);
}
