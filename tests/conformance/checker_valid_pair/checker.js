/**
 * @param {Array} input [nums, target]
 * @param {string} expected_output
 * @param {*} actual_output
 * @return {Object} {passed, message, score}
 */
function check(input, expected_output, actual_output) {
  const [nums, target] = input;
  if (expected_output === 'none') {
    const passed = Array.isArray(actual_output) && actual_output.length === 0;
    return {
      passed,
      message: passed ? 'no pair, as expected' : 'expected no pair',
      score: passed ? 1 : 0,
    };
  }
  const isIndex = (k) => Number.isInteger(k) && k >= 0 && k < nums.length;
  const valid =
    Array.isArray(actual_output) &&
    actual_output.length === 2 &&
    actual_output.every(isIndex) &&
    actual_output[0] !== actual_output[1] &&
    nums[actual_output[0]] + nums[actual_output[1]] === target;
  if (valid && expected_output === 'half') {
    return { passed: true, message: 'half marks', score: 0.5 };
  }
  return {
    passed: valid,
    message: valid ? 'a valid pair' : 'not a pair with the sum',
    score: valid ? 1 : 0,
  };
}
