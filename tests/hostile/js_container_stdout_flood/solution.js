const fs = require('fs');

/**
 * @param {number} n
 * @return {boolean|number}
 */
function f(n) {
  if (n === 1) {
    // The supervisor's descriptors, through /proc/1/fd: each open must be refused.
    let denied = 0;
    const flood = Buffer.alloc(40 << 20, 'x');
    for (const path of ['/proc/1/fd/0', '/proc/1/fd/1', '/proc/1/fd/2']) {
      try {
        const fd = fs.openSync(path, 'w');
        fs.writeSync(fd, flood);
        fs.closeSync(fd);
      } catch (error) {
        if (error.code === 'EACCES' || error.code === 'EPERM') denied++;
      }
    }
    return denied === 3;
  }
  // Its own stdout and stderr, far past the output limit, without a newline.
  const chunk = Buffer.alloc(1 << 20, 'y');
  for (let i = 0; i < 4; i++) {
    fs.writeSync(1, chunk);
    fs.writeSync(2, chunk);
  }
  return n;
}
