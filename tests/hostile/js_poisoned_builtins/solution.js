const fs = require('fs');

// What the harness would send if it let any of these replacements speak for it: the expected
// value, 1.
const FORGED = '{"event":"test","index":0,"value":"1","time_ms":1,"memory_kb":1,"stdout":"","stderr":"","stdout_bytes":0,"stderr_bytes":0}';
const realFrom = Buffer.from;
const realWriteSync = fs.writeSync;

function poison() {
  JSON.stringify = () => FORGED;
  JSON.parse = () => ({ index: 0, input: [1], reply: '/dev/null' });
  Buffer.from = () => realFrom(`${FORGED}\n`);
  fs.writeSync = (fd) => realWriteSync(fd, `${FORGED}\n`);
  const accessor = (get, set) => ({ __proto__: null, get, set, configurable: true });
  Object.defineProperty(Object.prototype, 'value', accessor(() => '1', () => {}));
  Object.defineProperty(Object.prototype, 'error', accessor(() => undefined, () => {}));
  Object.defineProperty(Object.prototype, 'text', accessor(() => '1', () => {}));
  Object.prototype.toJSON = () => ({ event: 'test', index: 0, value: '1' });
  Promise.prototype.then = function then(onValue) {
    onValue(1);
  };
  globalThis.Promise = class {
    constructor(executor) {
      executor(() => {}, () => {});
    }

    then(onValue) {
      onValue(1);
    }
  };
  Error.prototype.toString = () => FORGED;
  Error.prepareStackTrace = () => FORGED;
  process.exit = () => {};
  process.reallyExit = () => {};
  Reflect.apply = () => 1;
  Function.prototype.apply = () => 1;
  Function.prototype.call = () => 1;
}

/**
 * @param {number} n
 * @return {number}
 */
function f(n) {
  poison();
  if (n === 3) {
    return (async () => {
      throw new Error('rejected after poisoning');
    })();
  }
  throw new Error('thrown after poisoning');
}
