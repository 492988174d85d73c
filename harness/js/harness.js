'use strict';
/**
 * The JavaScript sandbox harness: one job in, events out. The protocol is harness/PROTOCOL.md.
 *
 * Node has no dup2, so the image's entrypoint (start.sh) arranges the descriptors before Node
 * starts, and gives Node a heap three quarters the size of the container's memory:
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
 * write an event there (and each event starts a line of its own, so half a line written
 * there cannot swallow one).
 *
 * Limits (PROTOCOL.md): what a test prints past output_limit_bytes, and a returned value whose
 * JSON passes value_limit_bytes, give `limit: "output"`; a RangeError for an array or string
 * too long, `limit: "memory"`. Out of heap, V8 ends the process; start.sh then repeats its
 * last words ("JavaScript heap out of memory") on the container's stderr.
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

// How much of a capture's end take() also reads, where a dying program's last words are.
const TAIL_BYTES = 4096;

/** One capture file, opened a second time to read back and empty after each test. */
class Capture {
  constructor(path, limit) {
    this.fd = fs.openSync(path, 'r+');
    this.limit = limit;
  }

  read(position, length) {
    const bytes = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const count = readSync(this.fd, bytes, filled, length - filled, position + filled);
      if (count === 0) break;
      filled += count;
    }
    return bytes.toString('utf8', 0, filled);
  }

  /**
   * What was written since the last take: `text`, cut at the limit with a note, `exceeded`
   * when it was cut, and `tail`, the last TAIL_BYTES. Only those parts are read, however
   * much was written.
   */
  take() {
    const size = fs.fstatSync(this.fd).size;
    let text = this.read(0, Math.min(size, this.limit));
    const tail = size > this.limit ? this.read(Math.max(0, size - TAIL_BYTES), TAIL_BYTES) : text;
    // Descriptors 1 and 2 append, so the next test's writes start again at offset 0.
    fs.ftruncateSync(this.fd, 0);
    const exceeded = size > this.limit;
    if (exceeded) text += `\n[output truncated: ${size} bytes written, ${this.limit} kept]`;
    return { text, exceeded, tail };
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
// The text goes piece by piece into a sink, so that a value past the limit is given up as
// soon as its text passes the limit, and then measured without being built (writeJson).

/** Thrown by a text sink once its text passes its limit. */
class TooLong extends Error {}

/** A sink that keeps the text, and gives up (TooLong) once it passes `limit` characters. */
function textSink(limit) {
  const pieces = [];
  let length = 0;
  const put = (piece) => {
    length += piece.length;
    if (length > limit) throw new TooLong();
    pieces.push(piece);
  };
  return {
    put,
    // A string's JSON is at least 2 longer than it: refuse a long one before quoting it.
    putString: (string) => {
      if (length + string.length + 2 > limit) throw new TooLong();
      put(JSON.stringify(string));
    },
    // A container of n items is at least 2n + 1 characters: refuse a large one before
    // going through its items.
    fits: (items) => {
      if (length + 2 * items + 1 > limit) throw new TooLong();
    },
    ordered: true,
    sub: () => textSink(limit),
    text: () => pieces.join(''),
  };
}

// Measuring stops at this many bytes, or this many pieces (about a tenth of a second's
// work): a value whose JSON is longer is only said to be longer than what was counted.
const MEASURE_CAP = 64 * 1024 * 1024;
const MEASURE_PIECES = 1 << 18;
const MEASURE_CHUNK = 1 << 20;
// Text that JSON writes as it is, one byte a character.
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A sink that keeps nothing and counts the text's UTF-8 bytes, up to its caps. */
function byteCounter() {
  let bytes = 0;
  let pieces = 0;
  const count = (n) => {
    bytes += n;
    if (bytes > MEASURE_CAP || ++pieces > MEASURE_PIECES) throw new TooLong();
  };
  return {
    put: (piece) => count(piece.length), // all but strings (putString) are ASCII
    // A long string is quoted a slice at a time, never cutting a surrogate pair in two.
    putString: (string) => {
      count(2);
      for (let start = 0; start < string.length; ) {
        let end = Math.min(start + MEASURE_CHUNK, string.length);
        const last = string.charCodeAt(end - 1);
        if (end < string.length && last >= 0xd800 && last <= 0xdbff) end--;
        const slice = string.slice(start, end);
        const plain = PLAIN_JSON.test(slice);
        count(plain ? slice.length : Buffer.byteLength(JSON.stringify(slice), 'utf8') - 2);
        start = end;
      }
    },
    fits: () => {},
    ordered: false,
    sub: () => textSink(Infinity), // for a Map's key that is not a string
    bytes: () => bytes,
  };
}

/**
 * Writes the JSON text of `value` into `sink`; `node` (ListNode, TreeNode, {array}, or
 * null) is the type the JSDoc declares, by which a null result is `[]`.
 */
function writeJson(value, node, classes, sink) {
  const { put } = sink;
  const open = new Set(); // the objects being rendered, to refuse a cycle
  const enter = (object) => {
    if (open.has(object)) throw new TypeError('it refers to itself');
    open.add(object);
  };
  const isInstance = (object, candidates) => candidates.some((type) => object instanceof type);

  const writeValue = (value) => {
    switch (typeof value) {
      case 'string':
        return sink.putString(value);
      case 'number':
        return put(Number.isFinite(value) ? JSON.stringify(value) : 'null');
      case 'bigint':
        return put(value.toString());
      case 'boolean':
        return put(String(value));
      case 'object':
        if (value === null) return put('null');
        break;
      default: // undefined, functions and symbols: null, as JSON.stringify writes them in arrays
        return put('null');
    }
    enter(value);
    writeObjectValue(value);
    open.delete(value);
  };

  const writeItems = (items, writeItem = writeValue) => {
    sink.fits(items.length);
    put('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) put(',');
      writeItem(items[i]);
    }
    put(']');
  };

  const writeObjectValue = (value) => {
    if (isInstance(value, classes.lists)) return writeList(value);
    if (isInstance(value, classes.trees)) return writeTree(value);
    if (typeof value.toJSON === 'function') return writeValue(value.toJSON());
    if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      return writeItems(value);
    }
    if (value instanceof Map) {
      sink.fits(value.size);
      return writeObject(value);
    }
    if (value instanceof Set) {
      sink.fits(value.size); // before the items are copied out
      // Only the text needs the order: a counter counts the items as they come.
      return writeItems(sink.ordered ? sortedLikePython([...value]) : [...value]);
    }
    // Members JSON.stringify leaves out (undefined, functions, symbols) are left out here too.
    const keys = Object.keys(value);
    sink.fits(keys.length);
    return writeObject(
      (function* members() {
        for (const key of keys) {
          const item = value[key];
          if (!['undefined', 'function', 'symbol'].includes(typeof item)) yield [key, item];
        }
      })(),
    );
  };

  /** Writes an object from its [key, item] pairs (any iterable: a Map is one). */
  const writeObject = (entries) => {
    put('{');
    let first = true;
    for (const [key, item] of entries) {
      if (!first) put(',');
      first = false;
      if (typeof key === 'string') {
        sink.putString(key);
      } else {
        const keySink = sink.sub();
        writeJson(key, null, classes, keySink);
        sink.putString(keySink.text());
      }
      put(':');
      writeValue(item);
    }
    put('}');
  };

  const writeList = (head) => {
    const seen = new Set();
    put('[');
    for (let node = head; node !== null && node !== undefined; node = node.next) {
      if (seen.has(node)) throw new TypeError('the list has a cycle');
      if (seen.size > 0) put(',');
      seen.add(node);
      writeValue(node.val);
    }
    put(']');
  };

  const writeTree = (root) => {
    const seen = new Set();
    const queue = [root];
    let written = 0;
    let nulls = 0; // missing children not yet written: trailing ones are dropped
    put('[');
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i];
      if (node === null || node === undefined) {
        nulls++;
        continue;
      }
      if (seen.has(node)) throw new TypeError('the tree reaches one node twice');
      seen.add(node);
      for (; nulls > 0; nulls--) put(written++ > 0 ? ',null' : 'null');
      if (written++ > 0) put(',');
      writeValue(node.val);
      queue.push(node.left, node.right);
    }
    put(']');
  };

  const writeResult = (value, node) => {
    if (node === null) return writeValue(value);
    if (value === null || value === undefined) return put(node.array ? 'null' : '[]');
    if (node.array && Array.isArray(value)) {
      return writeItems(value, (item) => writeResult(item, node.array));
    }
    return writeValue(value);
  };

  writeResult(value, node);
}

/** The JSON text of a value, with no limit. */
function render(value, classes) {
  const sink = textSink(Infinity);
  writeJson(value, null, classes, sink);
  return sink.text();
}

/**
 * The result as JSON, `{ text }`, when its text is at most `limit` bytes; else `{ bytes }`,
 * how long it is, measured without building it (`more` when it is longer than that: the
 * measuring stopped at its caps).
 */
function renderResult(value, node, classes, limit) {
  try {
    const sink = textSink(limit);
    writeJson(value, node, classes, sink);
    const text = sink.text();
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes > limit ? { bytes } : { text };
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
  }
  const counter = byteCounter();
  try {
    writeJson(value, node, classes, counter);
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
    return { bytes: counter.bytes(), more: true };
  }
  return { bytes: counter.bytes() };
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

async function runFunction(job, emit, stdout, stderr, limits) {
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
        const rendered = renderResult(value, signature.result, renderClasses, limits.value);
        if (rendered.text !== undefined) {
          event.value = rendered.text;
        } else {
          const size = rendered.more ? `more than ${rendered.bytes}` : rendered.bytes;
          event.error = `the returned value is ${size} bytes of JSON; the limit is ${limits.value}`;
          event.limit = 'output';
        }
      } catch (error) {
        event.error = `the return value cannot be rendered as JSON: ${error.message}`;
        if (isMemoryError(error)) event.limit = 'memory';
      }
    } catch (error) {
      event.time_ms = elapsedMs(begin);
      event.error = describe(error);
      if (isMemoryError(error)) event.limit = 'memory';
    }
    const out = stdout.take();
    const err = stderr.take();
    event.stdout = out.text;
    event.stderr = err.text;
    if ((out.exceeded || err.exceeded) && event.limit === undefined) event.limit = 'output';
    event.memory_kb = process.resourceUsage().maxRSS;
    emit(event);
  }
  emit({ event: 'done' });
}

const MEMORY_ERROR = /^(Invalid (array|string) length|Array buffer allocation failed)/;

/**
 * Whether an error is JavaScript's own way of running out of memory that a program can
 * catch: an array or string longer than V8 allows, or a buffer it could not allocate. (Out
 * of heap, V8 ends the process instead: see start.sh.)
 */
function isMemoryError(error) {
  try {
    if (error && error.code === 'ERR_STRING_TOO_LONG') return true;
    const isRangeError = types.isNativeError(error) && error.name === 'RangeError';
    return isRangeError && MEMORY_ERROR.test(error.message);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Program mode: the code is a whole program, run afresh for each test with its input as stdin.

async function runProgram(job, emit, stdout, stderr) {
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

  const { spawn } = requireQuietly('child_process');
  const args = [...programHeap(), '--require', PEAK_MODULE, SOLUTION_PATH];
  for (const [index, input] of (job.inputs || []).entries()) {
    const stdin = typeof input === 'string' ? input : renderOrInspect(input);
    const killsBefore = oomKills();
    const begin = process.hrtime.bigint();
    const run = await runChild(spawn, args, stdin);
    const event = { event: 'test', index, time_ms: elapsedMs(begin) };
    const out = stdout.take();
    const err = stderr.take();
    if (run.error) event.error = `the program could not be started: ${run.error.message}`;
    else if (run.signal) event.error = `the program was killed by ${run.signal}`;
    else if (run.status !== 0) event.error = `the program exited with code ${run.status}`;
    // Out of heap, V8 ends the program with these words; the kernel kills it with SIGKILL
    // when the container runs out of memory; an uncaught RangeError ends it with code 1.
    if (run.signal && /JavaScript heap out of memory/.test(err.tail)) {
      event.error += ': JavaScript heap out of memory';
      event.limit = 'memory';
    } else if (run.signal === 'SIGKILL' && oomKills() > killsBefore) {
      event.error += ': out of memory (the container reached its memory limit)';
      event.limit = 'memory';
    } else if (run.status && PROGRAM_MEMORY_ERROR.test(err.tail)) {
      event.limit = 'memory';
    } else if (out.exceeded || err.exceeded) {
      event.limit = 'output';
    }
    event.output = out.text;
    event.stderr = err.text;
    event.memory_kb = run.peak;
    emit(event);
  }
  emit({ event: 'done' });
}

const PROGRAM_MEMORY_ERROR =
  /RangeError: (Invalid (array|string) length|Array buffer allocation failed)|ERR_STRING_TOO_LONG/;

// peak.js, preloaded into each program, writes its peak resident set (KiB) here as it exits.
const PEAK_MODULE = '/opt/harness/peak.js';
const PEAK_PATH = '/tmp/.peak';
// How often the harness reads a running program's peak, for a program that dies unreported.
const SAMPLE_MS = 5;

/**
 * Runs one program to its end, its input on a pipe, its output straight into the capture
 * files (descriptors 1 and 2); resolves with its status or signal (or spawn error) and its
 * peak resident set in KiB: what it reported, or the most the harness saw in /proc.
 */
function runChild(spawn, args, input) {
  return new Promise((resolve) => {
    try {
      fs.unlinkSync(PEAK_PATH);
    } catch {}
    let child;
    let sampled = 0;
    let sampler;
    const finish = (result) => {
      clearInterval(sampler);
      resolve({ ...result, peak: Math.max(sampled, reportedPeak()) });
    };
    try {
      child = spawn(process.execPath, args, { stdio: ['pipe', 1, 2] });
    } catch (error) {
      finish({ error });
      return;
    }
    sampler = setInterval(() => {
      sampled = Math.max(sampled, residentPeakOf(child.pid));
    }, SAMPLE_MS);
    child.once('error', (error) => finish({ error }));
    child.once('exit', (status, signal) => finish({ status, signal }));
    child.stdin.on('error', () => {}); // a program may end without reading all its input
    child.stdin.end(input);
  });
}

function reportedPeak() {
  try {
    return parseInt(fs.readFileSync(PEAK_PATH, 'latin1'), 10) || 0;
  } catch {
    return 0;
  }
}

/** A live process's peak resident set in KiB (VmHWM), or 0. */
function residentPeakOf(pid) {
  try {
    const match = /^VmHWM:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------
// The container's memory, from its cgroup (v2, else v1).

function readCgroup(v2, v1) {
  for (const path of [v2, v1]) {
    try {
      return fs.readFileSync(path, 'latin1');
    } catch {}
  }
  return '';
}

/** The container's memory limit in bytes, or null when it has none. */
function memoryLimit() {
  const text = readCgroup(
    '/sys/fs/cgroup/memory.max',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes',
  );
  const bytes = Number(text.trim());
  // cgroup v1 writes "no limit" as a number near 2^63; v2 writes "max".
  return Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 50 ? bytes : null;
}

/** How many processes the kernel has killed for want of memory in this container. */
function oomKills() {
  const text = readCgroup(
    '/sys/fs/cgroup/memory.events',
    '/sys/fs/cgroup/memory/memory.oom_control',
  );
  const match = /^oom_kill (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * The program's heap size flag: three quarters of the memory the container has beside the
 * harness, so that a program that allocates too much ends in V8's own out-of-memory error.
 */
function programHeap() {
  const limit = memoryLimit();
  if (limit === null) return [];
  const megabytes = Math.floor(((limit - process.memoryUsage().rss) * 0.75) / 2 ** 20);
  return [`--max-old-space-size=${Math.max(megabytes, 16)}`];
}

// ---------------------------------------------------------------------------------------

function elapsedMs(since) {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

async function main() {
  const job = readJob();
  // Each event starts on a line of its own even if the code left half a line on descriptor 3.
  const emit = (event) => writeAll(RESULT_FD, `\n${job.nonce} ${JSON.stringify(event)}\n`);
  const limits = {
    output: Number(job.output_limit_bytes ?? 8192),
    value: Number(job.value_limit_bytes ?? 32768),
  };
  const stdout = new Capture(STDOUT_PATH, limits.output);
  const stderr = new Capture(STDERR_PATH, limits.output);

  // What the code leaves running (a timer that throws, a promise nobody awaits) reports
  // into the current test's stderr instead of ending the process.
  const reportUncaught = (error) => {
    const prefix = error instanceof Error ? 'Uncaught ' : ''; // describe() words the others so
    writeAll(2, `${prefix}${describe(error)}\n`);
  };
  process.on('uncaughtException', reportUncaught);
  process.on('unhandledRejection', reportUncaught);

  if (job.function_name === null || job.function_name === undefined) {
    await runProgram(job, emit, stdout, stderr);
  } else {
    await runFunction(job, emit, stdout, stderr, limits);
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
