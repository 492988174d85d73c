const fs = require('fs');
const net = require('net');
const { spawnSync } = require('child_process');

/** Runs `step`, ignoring its failure: planting goes on with whatever else it can leave. */
function attempt(step) {
  try {
    step();
  } catch {
    // nothing to do: the next thing is planted anyway
  }
}

/** Runs a command to its end (setsid -f ends once it has forked what it starts). */
function run(command, ...args) {
  spawnSync(command, args, { stdio: 'ignore', timeout: 5000 });
}

/** Leaves behind everything a later submission in the same sandbox could find. */
function plant(_) {
  attempt(() => fs.mkdirSync('/tmp/dir/deeper', { recursive: true }));
  for (const path of ['/tmp/planted', '/tmp/dir/file', '/tmp/dir/deeper/file', '/tmp/.hidden']) {
    attempt(() => fs.writeFileSync(path, 'planted'));
  }
  attempt(() => fs.symlinkSync('/etc/passwd', '/tmp/link'));
  attempt(() => fs.symlinkSync('/tmp', '/tmp/dir/loop'));
  attempt(() => run('mkfifo', '/tmp/fifo'));
  attempt(() => fs.chmodSync('/tmp/dir', 0o500)); // its owner cannot write it, to be removed anyway
  // Node cannot call shmget, semget or msgget: ipcmk does, and the objects outlive it.
  for (const args of [['-M', '1048576'], ['-M', '1048576'], ['-S', '1'], ['-Q']]) {
    attempt(() => run('ipcmk', ...args));
  }
  attempt(() => {
    const listener = net.createServer();
    listener.on('error', () => {});
    listener.listen('\0planted'); // an abstract socket: a path starting with a NUL byte
    listener.unref();
  });
  // Processes that would outlive it, each in a session of its own (setsid -f forks, so they
  // are no children of this process): one holding memory, many holding pids.
  const hold = 'const block = Buffer.alloc(100 << 20, 1); setTimeout(() => block, 120000);';
  attempt(() => run('setsid', '-f', process.execPath, '-e', hold));
  for (let i = 0; i < 15; i++) {
    attempt(() => run('setsid', '-f', 'sleep', '120'));
  }
  attempt(() => {
    process.env.PLANTED = '1';
  });
  attempt(() => process.chdir('/tmp/dir'));
  return 'planted';
}
