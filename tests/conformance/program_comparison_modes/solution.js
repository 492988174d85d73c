const n = parseInt(require('fs').readFileSync(0, 'utf8'), 10);
const numbers = [];
for (let i = 1; i <= n; i++) numbers.push(i);
console.log(numbers.join(' ') + '   ');
for (const line of ['c', 'b', 'a']) console.log(line);
console.log((1 / 3).toFixed(6));
