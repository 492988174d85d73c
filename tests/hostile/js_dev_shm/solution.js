const fs = require('fs');

/**
 * @param {number} n
 * @return {boolean}
 */
function f(n) {
  let failed = 0;
  for (const path of ['/dev/shm/x', '/dev/mqueue/x']) {
    try {
      fs.writeFileSync(path, 'x');
    } catch {
      failed++;
    }
  }
  return failed === 2;
}
