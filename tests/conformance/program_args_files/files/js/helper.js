/** Twice its argument: the helper module the program requires from its own directory. */
function twice(n) {
  return 2 * n;
}

module.exports = { twice };
