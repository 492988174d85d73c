const fs = require('fs');
const { twice } = require('./helper');

const n = Number(fs.readFileSync(0, 'utf8').trim());
const args = process.argv.slice(2);
console.log(`args: ${args.length}`);
for (const arg of args) console.log(arg);
console.log(`twice: ${twice(n)}`);
console.log(`data: ${fs.readFileSync('data.txt', 'utf8').split('\n')[0]}`);
