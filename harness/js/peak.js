'use strict';
// Preloaded (node --require) into each program that program mode runs: as the program exits,
// it leaves its peak resident set size in KiB where the harness reads it: descriptor 3, a
// file without a name that the harness opened for it (harness.js, runChild), so that no name
// of the harness's takes one of the job's files' in /tmp. A program that closed descriptor 3
// and opened a file of its own there does not get the figure written into that file: the
// descriptor must still be the file it was when this ran. A program that dies of a signal
// leaves nothing; the harness then goes by what it saw of the program in /proc while it ran.
const fs = require('fs');

const PEAK_FD = 3;

let peakFile = null;
try {
  const { dev, ino } = fs.fstatSync(PEAK_FD);
  peakFile = { dev, ino };
} catch {}

process.on('exit', () => {
  try {
    const { dev, ino } = fs.fstatSync(PEAK_FD);
    if (peakFile !== null && dev === peakFile.dev && ino === peakFile.ino) {
      fs.writeSync(PEAK_FD, String(process.resourceUsage().maxRSS), 0);
    }
  } catch {}
});
