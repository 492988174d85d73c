const fs = require('fs');
const net = require('net');
const { spawn } = require('child_process');

function sysvObjects() {
  const found = [];
  for (const kind of ['shm', 'sem', 'msg']) {
    const lines = fs.readFileSync(`/proc/sysvipc/${kind}`, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      if (line.trim()) found.push(`${kind} ${line.trim().split(/\s+/)[1]}`);
    }
  }
  return found;
}

/**
 * Live processes of this uid other than this one (the harness, in whose process the test
 * runs: its threads are not listed in /proc), its parent and its own children.
 */
function otherProcesses() {
  const found = [];
  const uid = String(process.getuid());
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let status;
    try {
      status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    const fields = {};
    for (const line of status.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
    }
    const mine = [process.pid, process.ppid].includes(Number(pid))
      || Number(fields.PPid) === process.pid;
    if (!mine && fields.Uid.split(/\s+/)[0] === uid && !['Z', 'X'].includes(fields.State[0])) {
      found.push(`process ${fields.Name}`);
    }
  }
  return found;
}

/** Whether the abstract socket "\0planted" is already bound by someone else. */
function socketTaken() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.on('error', () => resolve(true));
    probe.listen('\0planted', () => probe.close(() => resolve(false)));
  });
}

/** Whether about 30 short processes can run at once (most of the 64 pids, with Node's threads). */
function pidsFree() {
  const exits = [];
  let failed = false;
  for (let i = 0; i < 30; i++) {
    exits.push(new Promise((resolve) => {
      try {
        const child = spawn('true', [], { stdio: 'ignore' });
        child.on('error', () => {
          failed = true;
          resolve();
        });
        child.on('exit', () => resolve());
      } catch {
        failed = true;
        resolve();
      }
    }));
  }
  return Promise.all(exits).then(() => !failed);
}

/** What a sandbox shows a submission: the same whatever ran in it before. */
async function check(_) {
  const left = [];
  const names = ['planted', '.hidden', 'dir', 'link', 'fifo'];
  const planted = fs.readdirSync('/tmp').filter((name) => names.includes(name)).sort();
  if (planted.length) left.push(`/tmp holds ${planted.join(', ')}`);
  let cwd;
  try {
    cwd = process.cwd();
  } catch (error) {
    cwd = `unknown (${error.code})`;
  }
  if (cwd !== '/tmp') left.push(`cwd ${cwd}`);
  if ('PLANTED' in process.env) left.push('environment');
  left.push(...sysvObjects());
  left.push(...otherProcesses());
  if (await socketTaken()) left.push('abstract socket');
  try {
    // Most of what 256 MB leaves a test, touched: none of it taken by another.
    const block = Buffer.alloc(150 << 20);
    block.fill(1);
  } catch {
    left.push('memory');
  }
  if (!(await pidsFree())) left.push('pids');
  return left.length ? left : 'clean';
}
