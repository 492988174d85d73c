const numbers = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).map(Number);
console.log(numbers.sort((a, b) => a - b).join(' '));
