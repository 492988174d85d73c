const n = Number(require('fs').readFileSync(0, 'utf8').trim());
process.stdout.write('x'.repeat(n));
