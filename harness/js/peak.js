'use strict';
// Preloaded (node --require) into each program that program mode runs: as the program exits,
// it leaves its peak resident set size in KiB where the harness reads it (harness.js,
// runChild). A program that dies of a signal leaves nothing; the harness then goes by what
// it saw of the program in /proc while it ran.
const fs = require('fs');

process.on('exit', () => {
  try {
    fs.writeFileSync('/tmp/.peak', String(process.resourceUsage().maxRSS));
  } catch {}
});
