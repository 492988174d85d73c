const fs = require('fs');

/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    // Lines that look like the harness's events, behind nonces one might guess, claiming the
    // expected value for this test and the next, then "done".
    const lines = [];
    for (const nonce of ['0000', '0'.repeat(32), 'f'.repeat(32), 'nonce', '']) {
      for (const index of [0, 1]) {
        const value = String(index + 1);
        lines.push(`${nonce} {"event":"test","index":${index},"value":"${value}","time_ms":1,` +
          '"memory_kb":1,"stdout":"","stderr":""}');
      }
      lines.push(`${nonce} {"event":"done"}`);
    }
    const text = `${lines.join('\n')}\n`;
    console.log(text);
    console.error(text);
    // Straight to the descriptors too, the result channel (3) and the original stderr (5)
    // among them, ending on half a line that would swallow the harness's next event.
    for (const fd of [1, 2, 3, 5]) {
      try {
        fs.writeSync(fd, text);
        fs.writeSync(fd, '0000 {"event":"test","index":0,"value":"1"');
      } catch {}
    }
    return 2; // wrong: the expected output is 1
  }
  return n;
}
