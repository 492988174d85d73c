/**
 * @param {string} name
 * @return {string}
 */
function greet(name) {
  return "Hello, " + name + "!";
}
