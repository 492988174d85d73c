'use strict';
/**
 * The JavaScript sandbox harness: one job in, events out. The protocol is harness/PROTOCOL.md.
 *
 * Node has no dup2, so the image's entrypoint shell arranges the descriptors before Node starts:
 *   3     the container's original stdout: the result channel, written only by emit()
 *   4     the container's original stdin: the job, read once and closed
 *   5     the container's original stderr: the harness's own failures, which the worker quotes
 *   0     /dev/null, so user code that reads stdin gets nothing, as in the Python harness
 *   1, 2  /tmp/.stdout and /tmp/.stderr, opened for appending
 * Because descriptors 1 and 2 themselves are the capture files, everything the user's code
 * writes lands there: console.*, process.stdout.write, fs.writeSync(1, ...), child
 * processes. Node writes to file-backed stdout and stderr synchronously, so nothing written
 * during a test is still buffered when that test's output is taken. What this does not do:
 * output written while the code loads goes to the first test (as in the Python harness);
 * output of timers that fire after the last test is dropped; and descriptor 3 stays open, so
 * code that means to can write to the result channel, though without the nonce it cannot
 * write an event there.
 */

const fs = require('fs');
const { inspect, types } = require('util');
const v8 = require('v8');
// Node 18 cannot keep these two in a start-up snapshot (see the end): start() loads them.
let vm;
let createRequire;

const RESULT_FD = 3;
const JOB_FD = 4;
const HARNESS_ERROR_FD = 5;
const STDOUT_PATH = '/tmp/.stdout';
const STDERR_PATH = '/tmp/.stderr';
// Where a program is written, and what the user's require() resolves relative paths against.
const SOLUTION_PATH = '/tmp/solution.js';
// The file names in stack traces and syntax errors: what names them is the user's.
const SOLUTION_NAME = 'solution.js';
const IMPORTS_NAME = 'imports';
// The parameters Node gives a CommonJS module, so the code runs as it would as a file.
const MODULE_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

const exitProcess = process.exit.bind(process);
const { writeSync, readSync } = fs;

/** An error the harness words itself: reported as its message alone. */
class Failure extends Error {}

// ---------------------------------------------------------------------------------------
// The job: a JSON line whose integers beyond 2^53 must survive as BigInt, which JSON.parse
// (Node 18 has no reviver source text) cannot do.

function readJob() {
  const chunks = [];
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 16);
    const count = readSync(JOB_FD, chunk, 0, chunk.length, null);
    if (count === 0) break;
    const newline = chunk.subarray(0, count).indexOf(10);
    chunks.push(chunk.subarray(0, newline < 0 ? count : newline));
    if (newline >= 0) break;
  }
  fs.closeSync(JOB_FD);
  const text = Buffer.concat(chunks).toString('utf8');
  // Only an integer of 16 digits or more can be beyond 2^53; without one, JSON.parse is
  // exact, and ten times faster.
  return MAYBE_UNSAFE_INTEGER.test(text) ? parseJson(text) : JSON.parse(text);
}

const MAYBE_UNSAFE_INTEGER = /[[,:\s]-?\d{16}/;
const LITERALS = [['true', true], ['false', false], ['null', null]];
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** JSON.parse, except that integers outside ±(2^53 − 1) become BigInt. */
function parseJson(text) {
  let pos = 0;
  const fail = (what) => {
    throw new SyntaxError(`the job is not valid JSON: ${what} at position ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const expect = (char) => {
    skipSpace();
    if (text[pos] !== char) fail(`expected '${char}'`);
    pos++;
  };
  const parseString = () => {
    // Find the closing quote (one not escaped), then let JSON.parse decode the escapes.
    let end = pos;
    for (;;) {
      end = text.indexOf('"', end + 1);
      if (end < 0) fail('unterminated string');
      let backslashes = 0;
      while (text[end - 1 - backslashes] === '\\') backslashes++;
      if (backslashes % 2 === 0) break;
    }
    const value = JSON.parse(text.slice(pos, end + 1));
    pos = end + 1;
    return value;
  };
  const parseValue = () => {
    skipSpace();
    const char = text[pos];
    if (char === '"') return parseString();
    if (char === '[') {
      pos++;
      const array = [];
      skipSpace();
      if (text[pos] === ']') return pos++, array;
      for (;;) {
        array.push(parseValue());
        skipSpace();
        if (text[pos] !== ',') break;
        pos++;
      }
      expect(']');
      return array;
    }
    if (char === '{') {
      pos++;
      const object = {};
      skipSpace();
      if (text[pos] === '}') return pos++, object;
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('expected a key');
        const key = parseString();
        expect(':');
        // defineProperty, so that a key "__proto__" stays a plain key as in JSON.parse.
        Object.defineProperty(object, key, {
          value: parseValue(), writable: true, enumerable: true, configurable: true,
        });
        skipSpace();
        if (text[pos] !== ',') break;
        pos++;
      }
      expect('}');
      return object;
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, pos)) return (pos += word.length), value;
    }
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) fail('unexpected character');
    pos = NUMBER.lastIndex;
    const number = Number(match[0]);
    const isInteger = match[1] === undefined && match[2] === undefined;
    return isInteger && !Number.isSafeInteger(number) ? BigInt(match[0]) : number;
  };
  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail('unexpected text after the value');
  return value;
}

// ---------------------------------------------------------------------------------------
// Output: the result channel, and the capture files behind descriptors 1 and 2.

function writeAll(fd, text) {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; ) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

/** One capture file, opened a second time to read back and empty after each test. */
class Capture {
  constructor(path, limit) {
    this.fd = fs.openSync(path, 'r+');
    this.limit = limit;
  }

  take() {
    const size = fs.fstatSync(this.fd).size;
    const kept = Buffer.alloc(Math.min(size, this.limit));
    let filled = 0;
    while (filled < kept.length) {
      const count = readSync(this.fd, kept, filled, kept.length - filled, filled);
      if (count === 0) break;
      filled += count;
    }
    // Descriptors 1 and 2 append, so the next test's writes start again at offset 0.
    fs.ftruncateSync(this.fd, 0);
    let text = kept.toString('utf8', 0, filled);
    if (size > this.limit) {
      text += `\n[output truncated: ${size} bytes written, ${this.limit} kept]`;
    }
    return text;
  }
}

// ---------------------------------------------------------------------------------------
// ListNode and TreeNode, defined as LeetCode's JavaScript templates define them.

function ListNode(val, next) {
  this.val = val === undefined ? 0 : val;
  this.next = next === undefined ? null : next;
}

function TreeNode(val, left, right) {
  this.val = val === undefined ? 0 : val;
  this.left = left === undefined ? null : left;
  this.right = right === undefined ? null : right;
}

function buildList(values, Node) {
  let head = null;
  for (let i = values.length - 1; i >= 0; i--) {
    const node = new Node(values[i]);
    node.next = head;
    head = node;
  }
  return head;
}

/** A tree from its level order, `null` marking a missing child, as LeetCode writes trees. */
function buildTree(values, Node) {
  const makeNode = (value) => {
    if (value === null) return null;
    const node = new Node(value);
    node.left = node.right = null;
    return node;
  };
  const root = values.length ? makeNode(values[0]) : null;
  const parents = root ? [root] : [];
  let next = 1;
  for (let i = 0; i < parents.length && next < values.length; i++) {
    for (const side of ['left', 'right']) {
      if (next >= values.length) break;
      const child = makeNode(values[next++]);
      parents[i][side] = child;
      if (child) parents.push(child);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------
// Argument types, from the JSDoc block that LeetCode's templates put before the function.

/** The JSDoc comment right before `fn` in the code (only a declaration between), or ''. */
function jsdocOf(fn, code) {
  const start = code.indexOf(Function.prototype.toString.call(fn));
  const end = start < 0 ? -1 : code.lastIndexOf('*/', start);
  const begin = end < 0 ? -1 : code.lastIndexOf('/**', end);
  if (begin < 0) return '';
  const between = code.slice(end + 2, start);
  const declaration = /^\s*(?:(?:var|let|const)\s+[\w$]+\s*=\s*|[\w$.]+\s*=\s*)?$/;
  return declaration.test(between) ? code.slice(begin, end) : '';
}

/** The type as ListNode, TreeNode, {array: type} or null, without its `null` options. */
function nodeType(text) {
  const options = text
    .replace(/[\s()?!]/g, '')
    .split('|')
    .filter((option) => option !== 'null' && option !== 'undefined');
  if (options.length !== 1) return null;
  const [type] = options;
  if (type === 'ListNode' || type === 'TreeNode') return type;
  const element = /^(.+)\[\]$/.exec(type) || /^Array<(.+)>$/.exec(type);
  const inner = element && nodeType(element[1]);
  return inner ? { array: inner } : null;
}

/**
 * The declared types that matter: each parameter (in JSDoc order) with its name and node
 * type, and the node type of the result.
 */
function signatureOf(fn, code) {
  const jsdoc = jsdocOf(fn, code);
  const paramTag = /@(?:param|arg|argument)\s*\{([^}]*)\}\s*\[?([\w$]*)/g;
  const parameters = [...jsdoc.matchAll(paramTag)].map(([, type, name]) => ({
    name,
    type: type.trim(),
    node: nodeType(type),
  }));
  const returnTag = /@returns?\s*\{([^}]*)\}/.exec(jsdoc);
  return { parameters, result: returnTag ? nodeType(returnTag[1]) : null };
}

function convertArgument(value, node, classes, describeArgument) {
  if (node === null || value === null) return value;
  if (!Array.isArray(value)) {
    throw new Failure(`${describeArgument()}: expected an array, got ${renderOrInspect(value)}`);
  }
  if (node === 'ListNode') return buildList(value, classes.ListNode);
  if (node === 'TreeNode') return buildTree(value, classes.TreeNode);
  return value.map((item) => convertArgument(item, node.array, classes, describeArgument));
}

function prepareArguments(input, parameters, classes) {
  const args = Array.isArray(input) ? input : [input];
  return args.map((value, i) => {
    const parameter = parameters[i];
    if (!parameter) return value;
    const describeArgument = () => `argument ${i + 1} (${parameter.name}: ${parameter.type})`;
    return convertArgument(value, parameter.node, classes, describeArgument);
  });
}

// ---------------------------------------------------------------------------------------
// Values as JSON text: BigInt exact, ListNode and TreeNode as arrays, Map and Set as JSON.

function render(value, classes) {
  const open = new Set(); // the objects being rendered, to refuse a cycle
  const enter = (object) => {
    if (open.has(object)) throw new TypeError('it refers to itself');
    open.add(object);
  };
  const isInstance = (object, candidates) => candidates.some((type) => object instanceof type);

  const renderValue = (value) => {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'number':
        return Number.isFinite(value) ? JSON.stringify(value) : 'null';
      case 'bigint':
        return value.toString();
      case 'boolean':
        return String(value);
      case 'object':
        if (value === null) return 'null';
        break;
      default: // undefined, functions and symbols: null, as JSON.stringify writes them in arrays
        return 'null';
    }
    enter(value);
    const text = renderObjectValue(value);
    open.delete(value);
    return text;
  };

  const renderObjectValue = (value) => {
    if (isInstance(value, classes.lists)) return renderList(value);
    if (isInstance(value, classes.trees)) return renderTree(value);
    if (typeof value.toJSON === 'function') return renderValue(value.toJSON());
    if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      return `[${Array.from(value, renderValue).join(',')}]`;
    }
    if (value instanceof Map) {
      return renderObject([...value].map(([key, item]) => [key, renderValue(item)]));
    }
    if (value instanceof Set) {
      return `[${sortedLikePython([...value]).map(renderValue).join(',')}]`;
    }
    // Members JSON.stringify leaves out (undefined, functions, symbols) are left out here too.
    const entries = Object.entries(value)
      .filter(([, item]) => !['undefined', 'function', 'symbol'].includes(typeof item))
      .map(([key, item]) => [key, renderValue(item)]);
    return renderObject(entries);
  };

  const renderObject = (entries) => {
    const members = entries.map(([key, text]) => {
      const name = typeof key === 'string' ? key : renderValue(key);
      return `${JSON.stringify(name)}:${text}`;
    });
    return `{${members.join(',')}}`;
  };

  const renderList = (head) => {
    const seen = new Set();
    const items = [];
    for (let node = head; node !== null && node !== undefined; node = node.next) {
      if (seen.has(node)) throw new TypeError('the list has a cycle');
      seen.add(node);
      items.push(renderValue(node.val));
    }
    return `[${items.join(',')}]`;
  };

  const renderTree = (root) => {
    const seen = new Set();
    const items = [];
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i];
      if (node === null || node === undefined) {
        items.push('null');
        continue;
      }
      if (seen.has(node)) throw new TypeError('the tree reaches one node twice');
      seen.add(node);
      items.push(renderValue(node.val));
      queue.push(node.left, node.right);
    }
    while (items[items.length - 1] === 'null') items.pop();
    return `[${items.join(',')}]`;
  };

  return renderValue(value);
}

/** The result as JSON; a null where the JSDoc declares a ListNode or TreeNode is `[]`. */
function renderResult(value, node, classes) {
  if (node === null) return render(value, classes);
  if (value === null || value === undefined) return node.array ? 'null' : '[]';
  if (node.array && Array.isArray(value)) {
    return `[${value.map((item) => renderResult(item, node.array, classes)).join(',')}]`;
  }
  return render(value, classes);
}

/** A set's items sorted when they are all numbers or all strings, as Python sorts sets. */
function sortedLikePython(items) {
  const numeric = items.every((item) => typeof item === 'number' || typeof item === 'bigint');
  const textual = items.every((item) => typeof item === 'string');
  if (!numeric && !textual) return items;
  return items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A value for a message or a program's stdin: its JSON when it has one, else inspected. */
function renderOrInspect(value) {
  try {
    return render(value, { lists: [], trees: [] });
  } catch {
    return inspect(value);
  }
}

// ---------------------------------------------------------------------------------------
// Errors, in Node's words, with only the user's stack frames.

function describe(error) {
  try {
    if (error instanceof Failure) return error.message;
    if (!(error instanceof Error || types.isNativeError(error))) {
      return `Uncaught ${inspect(error)}`; // a thrown value that is no Error, as Node words it
    }
    const header = Error.prototype.toString.call(error);
    const stack = typeof error.stack === 'string' ? error.stack : '';
    const at = stack.indexOf(header);
    if (at < 0) return header;
    // Node puts the source line and a caret before a syntax error's header (and before
    // some errors thrown in its own code, which the user need not see).
    const decoration = stack.slice(0, at);
    const isUsers = [SOLUTION_NAME, IMPORTS_NAME].some((file) => decoration.startsWith(`${file}:`));
    const frames = stack.slice(at + header.length).split('\n').filter((line) => line.trim());
    let userFrames = 0;
    frames.forEach((frame, i) => {
      if (frame.includes(`${SOLUTION_NAME}:`)) userFrames = i + 1;
    });
    return [(isUsers ? decoration : '') + header, ...frames.slice(0, userFrames)].join('\n');
  } catch {
    return 'an exception that cannot be described';
  }
}

// ---------------------------------------------------------------------------------------
// Function mode.

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** Whether `name` can be written as a variable reference (an identifier, not a keyword). */
function isReference(name) {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) return false;
  try {
    new vm.Script(`typeof ${name}`);
    return true;
  } catch {
    return false;
  }
}

/** A module name (`assert`, `node:fs`) as a variable: `fs/promises` is `fsPromises`. */
function bindingFor(moduleName) {
  const words = moduleName.replace(/^node:/, '').split(/[^A-Za-z0-9_$]+/).filter(Boolean);
  const name = words.map((word, i) => (i ? word[0].toUpperCase() + word.slice(1) : word)).join('');
  return /^\d/.test(name) ? `_${name}` : name;
}

const ESM_IMPORT = new RegExp(
  String.raw`^\s*import\s+(?:(?:([\w$]+)\s*,?\s*)?` + // a default binding,
  String.raw`(?:\*\s*as\s+([\w$]+)|\{([^}]*)\})?\s*from\s*)?` + // a namespace or named ones,
  String.raw`(['"][^'"]+['"])\s*;?\s*$`, // the module
);

/** An ES module import (`import { a as b } from 'm'`) as the require() a script can run. */
function asScript(statement) {
  const match = ESM_IMPORT.exec(statement);
  if (!match) return statement;
  const [, defaultName, namespace, named, source] = match;
  const bindings = [defaultName, namespace]
    .filter(Boolean)
    .map((name) => `const ${name} = require(${source});`);
  if (named !== undefined) {
    bindings.push(`const { ${named.trim().replace(/\s+as\s+/g, ': ')} } = require(${source});`);
  }
  return bindings.length ? bindings.join(' ') : `require(${source});`;
}

/**
 * Runs each import as a script of its own: its top-level const/let bindings then live in
 * the global scope, where the user's code sees them and may still declare the same names.
 */
function runImports(imports, userRequire) {
  globalThis.require = userRequire; // a script's scope has no CommonJS require of its own
  for (const entry of imports || []) {
    const isModuleName = /^[\w.@:\/-]+$/.test(entry);
    const statement = isModuleName
      ? `const ${bindingFor(entry)} = require(${JSON.stringify(entry)});`
      : asScript(entry);
    vm.runInThisContext(statement, { filename: IMPORTS_NAME });
  }
}

/**
 * Runs the imports and the code; returns the function to call, the object to call it on,
 * and the ListNode and TreeNode classes in the code's scope (its own, when it declares them).
 */
function load(job) {
  const name = job.function_name;
  const code = job.code;
  const userRequire = createRequire(SOLUTION_PATH);
  // Globals, not parameters, so that code which declares its own ListNode still compiles.
  globalThis.ListNode = ListNode;
  globalThis.TreeNode = TreeNode;
  runImports(job.imports, userRequire);

  // The code is a function body, so its top-level declarations can be looked up at its end.
  const lookups = [isReference(name) ? name : null, 'Solution', 'ListNode', 'TreeNode'].map(
    (id) => (id ? `typeof ${id} === 'undefined' ? undefined : ${id}` : 'undefined'),
  );
  const body = `${code}\n;return [${lookups.join(', ')}];`;
  const run = vm.compileFunction(body, MODULE_PARAMETERS, { filename: SOLUTION_NAME });
  const module = { exports: {} };
  const [free, Solution, UserListNode, UserTreeNode] = run.call(
    module.exports, module.exports, userRequire, module, SOLUTION_PATH, '/tmp',
  );
  const classes = { ListNode: UserListNode, TreeNode: UserTreeNode };

  const isClass = (fn) => Function.prototype.toString.call(fn).startsWith('class');
  if (typeof free === 'function' && !isClass(free)) {
    return { fn: free, self: undefined, classes };
  }
  if (typeof Solution === 'function') {
    const self = new Solution();
    if (typeof self[name] === 'function') return { fn: self[name], self, classes };
  }
  throw new Failure(
    `function '${name}' is not defined: define it at top level or as a method of class Solution`,
  );
}

/**
 * Waits for a returned promise. When nothing is left that could settle it, the event loop
 * empties and Node would end the process; 'beforeExit' makes that the test's error instead.
 */
function settle(promise) {
  return new Promise((resolve, reject) => {
    const stalled = () => reject(new Failure('the returned promise never settled'));
    process.once('beforeExit', stalled);
    Promise.resolve(promise)
      .finally(() => process.off('beforeExit', stalled))
      .then(resolve, reject);
  });
}

async function runFunction(job, emit, stdout, stderr) {
  // The code's process.exit() ends its test, not the harness, as SystemExit does in Python.
  process.exit = (code) => {
    throw new Failure(`process.exit(${code === undefined ? '' : inspect(code)}) was called`);
  };
  const started = process.hrtime.bigint();
  let target;
  try {
    target = load(job);
  } catch (error) {
    emit({ event: 'load_failed', message: describe(error) });
    return;
  }
  emit({ event: 'loaded', compile_time_ms: elapsedMs(started) });

  const { fn, self, classes } = target;
  const signature = signatureOf(fn, job.code);
  const typesOf = (...candidates) => candidates.filter((c) => typeof c === 'function');
  const renderClasses = {
    lists: typesOf(classes.ListNode, ListNode),
    trees: typesOf(classes.TreeNode, TreeNode),
  };

  for (const [index, input] of (job.inputs || []).entries()) {
    const event = { event: 'test', index };
    let begin = process.hrtime.bigint();
    try {
      const args = prepareArguments(input, signature.parameters, classes);
      begin = process.hrtime.bigint();
      let value = fn.apply(self, args);
      if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
        value = await settle(value);
      }
      event.time_ms = elapsedMs(begin);
      try {
        event.value = renderResult(value, signature.result, renderClasses);
      } catch (error) {
        event.error = `the return value cannot be rendered as JSON: ${error.message}`;
      }
    } catch (error) {
      event.time_ms = elapsedMs(begin);
      event.error = describe(error);
    }
    event.stdout = stdout.take();
    event.stderr = stderr.take();
    emit(event);
  }
  emit({ event: 'done' });
}

// ---------------------------------------------------------------------------------------
// Program mode: the code is a whole program, run afresh for each test with its input as stdin.

function runProgram(job, emit, stdout, stderr) {
  const started = process.hrtime.bigint();
  try {
    // Compiled as Node compiles a CommonJS file, only to report a syntax error up front.
    vm.compileFunction(job.code, MODULE_PARAMETERS, { filename: SOLUTION_NAME });
  } catch (error) {
    emit({ event: 'load_failed', message: describe(error) });
    return;
  }
  fs.writeFileSync(SOLUTION_PATH, job.code);
  emit({ event: 'loaded', compile_time_ms: elapsedMs(started) });

  const { spawnSync } = requireQuietly('child_process');
  for (const [index, input] of (job.inputs || []).entries()) {
    const begin = process.hrtime.bigint();
    // The program writes straight into the capture files: descriptors 1 and 2.
    const run = spawnSync(process.execPath, [SOLUTION_PATH], {
      input: typeof input === 'string' ? input : renderOrInspect(input),
      stdio: ['pipe', 1, 2],
    });
    const event = { event: 'test', index, time_ms: elapsedMs(begin) };
    if (run.error) event.error = `the program could not be started: ${run.error.message}`;
    else if (run.signal) event.error = `the program was killed by ${run.signal}`;
    else if (run.status !== 0) event.error = `the program exited with code ${run.status}`;
    event.output = stdout.take();
    event.stderr = stderr.take();
    emit(event);
  }
  emit({ event: 'done' });
}

// ---------------------------------------------------------------------------------------

function elapsedMs(since) {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

async function main() {
  const job = readJob();
  const emit = (event) => writeAll(RESULT_FD, `${job.nonce} ${JSON.stringify(event)}\n`);
  const limit = Number(job.output_limit_bytes ?? 65536);
  const stdout = new Capture(STDOUT_PATH, limit);
  const stderr = new Capture(STDERR_PATH, limit);

  // What the code leaves running (a timer that throws, a promise nobody awaits) reports
  // into the current test's stderr instead of ending the process.
  const reportUncaught = (error) => {
    const prefix = error instanceof Error ? 'Uncaught ' : ''; // describe() words the others so
    writeAll(2, `${prefix}${describe(error)}\n`);
  };
  process.on('uncaughtException', reportUncaught);
  process.on('unhandledRejection', reportUncaught);

  if (job.function_name === null || job.function_name === undefined) {
    runProgram(job, emit, stdout, stderr);
  } else {
    await runFunction(job, emit, stdout, stderr);
  }
}

/**
 * require() for a module that Node 18 leaves out of start-up snapshots: loading it once the
 * snapshot has started is safe, but Node would warn about it into the first test's stderr.
 */
function requireQuietly(name) {
  const { emitWarning } = process;
  process.emitWarning = () => {};
  try {
    return require(name);
  } finally {
    process.emitWarning = emitWarning;
  }
}

function start() {
  vm = requireQuietly('vm');
  ({ createRequire } = requireQuietly('module'));
  main().then(
    // Exit at once: timers the code left behind must not keep the sandbox alive.
    () => exitProcess(0),
    (error) => {
      writeAll(HARNESS_ERROR_FD, `harness failure: ${error && error.stack}\n`);
      exitProcess(70);
    },
  );
}

// The image starts Node from a snapshot taken after this file ran (the Dockerfile), which
// spares Debian's Node, built without a snapshot of its own, most of its start-up work.
if (v8.startupSnapshot.isBuildingSnapshot()) {
  v8.startupSnapshot.setDeserializeMainFunction(start);
} else {
  start();
}
