const fs = require('fs');

const stdin = fs.readFileSync(0);
let position = 0;

/** One length-prefixed text: a line with its length in bytes, the bytes, then "\n". */
function readText() {
  const newline = stdin.indexOf(10, position);
  const length = Number(stdin.toString('latin1', position, newline));
  const start = newline + 1;
  position = start + length + 1;
  return stdin.toString('utf8', start, start + length);
}

function verdict(code, ...lines) {
  console.log(lines.join('\n'));
  process.exit(code);
}

const tokens = (text) => text.split(/\s+/).filter(Boolean);
const ascending = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

const [given, expected, actual] = [readText(), readText(), readText()];
const numbers = tokens(given).map(BigInt);
const answerTokens = tokens(actual);
if (!answerTokens.every((token) => /^[+-]?\d+$/.test(token))) verdict(2, 'wrong numbers');
const answer = answerTokens.map(BigInt);
const inOrder = [...numbers].sort(ascending);
if (!same([...answer].sort(ascending), inOrder)) verdict(2, 'wrong numbers');
if (expected.trim() === 'descending') inOrder.reverse();
if (!same(answer, inOrder)) verdict(1, 'not sorted');
if (expected.trim() === 'partial') verdict(7, '0.5', 'partial');
verdict(0, 'ok');
