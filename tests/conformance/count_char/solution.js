/**
 * @param {string} s
 * @param {character} c
 * @return {number}
 */
function countChar(s, c) {
  return s.split(c).length - 1;
}
