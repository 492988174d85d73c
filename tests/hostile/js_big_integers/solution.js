/**
 * @param {number|string} power
 * @param {number|bigint} offset
 * @return {bigint}
 */
function f(power, offset) {
  // An integer input beyond 2^53 arrives as a BigInt; "echo" passes it back as it came.
  if (power === 'echo') return BigInt(offset);
  const base = power === '1e30' ? 10n ** 30n : 2n ** BigInt(power);
  return base + BigInt(offset);
}
