'use strict';
/**
 * The JavaScript sandbox harness: loads the code, then runs one test for each line the
 * supervisor hands out and writes each reply to the path that line names. The protocol is
 * harness/PROTOCOL.md ("Supervisor → harness", "Harness → supervisor").
 *
 * Node has no dup2, so the image's command (start.sh) arranges the descriptors before Node
 * starts, and gives Node a heap the size of the sandbox's memory:
 *   4     the control pipe (the supervisor's descriptor 0): the job's line, then one line a
 *         test, read one at a time
 *   5     the harness's own stderr (the supervisor's pipe): the harness's own failures
 *   0     /dev/null, so user code that reads stdin gets nothing, as in the Python harness
 *   1, 2  /tmp/.stdout and /tmp/.stderr, opened for appending; the harness opens each again
 *         to read it back and removes both names before the job comes, so that the only
 *         names it writes in /tmp, the code's directory and working directory, are the
 *         job's files and, in program mode, solution.js
 * Because descriptors 1 and 2 themselves are the capture files, everything the user's code
 * writes lands there: console.*, process.stdout.write, fs.writeSync(1, ...), child
 * processes. Node writes to file-backed stdout and stderr synchronously, so nothing written
 * during a test is still buffered when that test's output is taken. What this does not do:
 * output written while the code loads goes to the first test (as in the Python harness), and
 * output of timers that fire after the last test is dropped.
 *
 * Every test runs in this process, after code that may have replaced any global, method or
 * prototype property the harness would use: the harness takes what it needs before any code
 * runs (see "Builtins").
 *
 * The harness reports facts and the supervisor words them: how many bytes a test wrote, how
 * long a returned value's JSON is. A RangeError for an array or string too long is `limit:
 * "memory"`; a test that allocates too much fills the container first (Node's heap is as
 * large as the container's memory) and the kernel's OOM killer ends Node, which the
 * supervisor counts.
 */

const fs = require('fs');
const { inspect, types } = require('util');
const v8 = require('v8');
// Node 18 cannot keep these two in a start-up snapshot (see the end): start() loads them.
let vm;
let createRequire;

// ---------------------------------------------------------------------------------------
// Builtins. The code may replace or wrap anything it can reach (JSON.stringify, Buffer.from,
// fs.writeSync, process.exit, Array.prototype[Symbol.iterator], a getter or setter on
// Object.prototype) and leave it so for the tests after it. So that none of that can change
// what a reply says, turn an error into a value or keep a reply from being written, the
// harness takes here, before any code runs, the builtins it needs once code has run (to read
// the tests, run one, describe its error, measure it and reply), and calls only these. Its
// own records are objects without a prototype, which no getter or setter reaches, and its
// loops on that path iterate by index. A method taken with uncurryThis is called with its
// `this` first: stringSlice(text, 1) is text.slice(1) as it was at start.

const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
const { apply: applyFunction, defineProperty } = Reflect;
const { parse: parseJsonText, stringify } = JSON;
const { alloc: bufferAlloc, byteLength } = Buffer;
const utf8Slice = uncurryThis(Buffer.prototype.utf8Slice);
const { isArray } = Array;
const { isView } = ArrayBuffer;
const { keys: objectKeys } = Object;
const { ceil, min } = Math;
const toNumber = Number;
const toBigInt = BigInt;
const { isFinite: isFiniteNumber, isSafeInteger } = Number;
const NativePromise = Promise;
const promiseThen = uncurryThis(Promise.prototype.then);
const stringSlice = uncurryThis(String.prototype.slice);
const stringIndexOf = uncurryThis(String.prototype.indexOf);
const stringLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
const stringStartsWith = uncurryThis(String.prototype.startsWith);
const charCodeAt = uncurryThis(String.prototype.charCodeAt);
const regExpExec = uncurryThis(RegExp.prototype.exec);
const errorToString = uncurryThis(Error.prototype.toString);
const functionToString = uncurryThis(Function.prototype.toString);
const { isNativeError, isPromise } = types;
const { openSync, closeSync, readSync, writeSync, fstatSync, ftruncateSync, unlinkSync } = fs;
const { O_WRONLY } = fs.constants;
const hrtime = process.hrtime.bigint;
const { resourceUsage } = process;
const onceEvent = uncurryThis(process.once);
const offEvent = uncurryThis(process.off);
// What process.exit() calls once its 'exit' listeners ran: the code's listeners must not run.
const reallyExit = process.reallyExit.bind(process);

const CONTROL_FD = 4;
const HARNESS_ERROR_FD = 5;
const STDOUT_PATH = '/tmp/.stdout';
const STDERR_PATH = '/tmp/.stderr';
// The code's directory: the program's working directory, where the job's files are written.
const CODE_DIR = '/tmp';
// Where a program is written, and what the user's require() resolves relative paths against.
const SOLUTION_PATH = '/tmp/solution.js';
// The file names in stack traces and syntax errors: what names them is the user's.
const SOLUTION_NAME = 'solution.js';
const IMPORTS_NAME = 'imports';
// The parameters Node gives a CommonJS module, so the code runs as it would as a file.
const MODULE_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** An error the harness words itself: reported as its message alone. */
class Failure extends Error {}

// ---------------------------------------------------------------------------------------
// The control pipe: the job's line, then one line a test. The next line comes only after
// the reply to this one, so reading never takes more than one line; what a read brings past
// a line would be kept for the next all the same.

const READ_CHUNK = 1 << 16;
let pending = bufferAlloc(READ_CHUNK);
let pendingCapacity = READ_CHUNK;
let pendingBytes = 0;

/** The next line of the control pipe, without its "\n"; null at its end. */
function readLine() {
  for (let scanned = 0; ; ) {
    for (; scanned < pendingBytes; scanned++) {
      if (pending[scanned] === 10) {
        const line = utf8Slice(pending, 0, scanned);
        for (let i = scanned + 1; i < pendingBytes; i++) pending[i - scanned - 1] = pending[i];
        pendingBytes -= scanned + 1;
        return line;
      }
    }
    if (pendingBytes + READ_CHUNK > pendingCapacity) {
      pendingCapacity = 2 * pendingBytes + READ_CHUNK;
      const larger = bufferAlloc(pendingCapacity);
      for (let i = 0; i < pendingBytes; i++) larger[i] = pending[i];
      pending = larger;
    }
    const count = readSync(CONTROL_FD, pending, pendingBytes, READ_CHUNK, null);
    if (count === 0) {
      const rest = pendingBytes > 0 ? utf8Slice(pending, 0, pendingBytes) : null;
      pendingBytes = 0;
      return rest;
    }
    pendingBytes += count;
  }
}

/**
 * The next line of the control pipe as JSON, whose integers beyond 2^53 must survive as
 * BigInt, which JSON.parse (Node 18 has no reviver source text) cannot do; null at its end.
 */
function readMessage() {
  const text = readLine();
  if (text === null) return null;
  // Only an integer of 16 digits or more can be beyond 2^53; without one, JSON.parse is
  // exact, and ten times faster.
  return regExpExec(MAYBE_UNSAFE_INTEGER, text) !== null ? parseJson(text) : parseJsonText(text);
}

const MAYBE_UNSAFE_INTEGER = /[[,:\s]-?\d{16}/;
const LITERALS = [['true', true], ['false', false], ['null', null]];
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Gives `target` the own property `key`, as JSON.parse does, whatever its prototype holds. */
function keep(target, key, value) {
  defineProperty(target, key, {
    __proto__: null, value, writable: true, enumerable: true, configurable: true,
  });
}

/** JSON.parse, except that integers outside ±(2^53 − 1) become BigInt. */
function parseJson(text) {
  let pos = 0;
  const fail = (what) => {
    throw new SyntaxError(`the line is not valid JSON: ${what} at position ${pos}`);
  };
  const skipSpace = () => {
    for (; pos < text.length; pos++) {
      const char = text[pos];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') break;
    }
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
      end = stringIndexOf(text, '"', end + 1);
      if (end < 0) fail('unterminated string');
      let backslashes = 0;
      while (text[end - 1 - backslashes] === '\\') backslashes++;
      if (backslashes % 2 === 0) break;
    }
    const value = parseJsonText(stringSlice(text, pos, end + 1));
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
        keep(array, array.length, parseValue());
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
        // An own property, so that a key "__proto__" stays a plain key as in JSON.parse.
        keep(object, key, parseValue());
        skipSpace();
        if (text[pos] !== ',') break;
        pos++;
      }
      expect('}');
      return object;
    }
    for (let i = 0; i < LITERALS.length; i++) {
      const word = LITERALS[i][0];
      if (stringStartsWith(text, word, pos)) return (pos += word.length), LITERALS[i][1];
    }
    NUMBER.lastIndex = pos;
    const match = regExpExec(NUMBER, text);
    if (match === null) fail('unexpected character');
    pos = NUMBER.lastIndex;
    const number = toNumber(match[0]);
    const isInteger = match[1] === undefined && match[2] === undefined;
    return isInteger && !isSafeInteger(number) ? toBigInt(match[0]) : number;
  };
  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail('unexpected text after the value');
  return value;
}

// ---------------------------------------------------------------------------------------
// Output: the replies, and the capture files behind descriptors 1 and 2.

const HEX = '0123456789abcdef';

/**
 * A reply's line: `record` (an object without a prototype, whose fields are strings and
 * numbers) as JSON, each character past ASCII escaped, so that the line has as many bytes
 * as characters.
 */
function replyLine(record) {
  const json = stringify(record);
  let line = '';
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const code = charCodeAt(json, i);
    if (code < 0x80) continue;
    const hex = HEX[code >> 12] + HEX[(code >> 8) & 15] + HEX[(code >> 4) & 15] + HEX[code & 15];
    line += `${stringSlice(json, from, i)}\\u${hex}`;
    from = i + 1;
  }
  return `${line}${stringSlice(json, from)}\n`;
}

/**
 * Writes one reply to its path, a FIFO that the supervisor holds open for reading. Where the
 * test's code wrote there first, the supervisor took that and closed it: this reply is then
 * dropped, and the next test still runs.
 */
function reply(path, record) {
  const line = replyLine(record);
  let fd;
  try {
    fd = openSync(path, O_WRONLY);
    // writeSync takes the string itself, and counts in bytes what it wrote: characters here.
    for (let written = 0; written < line.length; ) {
      written += writeSync(fd, written > 0 ? stringSlice(line, written) : line);
    }
  } catch {
    // dropped, as above
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * One capture file, opened a second time to read back and empty after each test; its name
 * is removed at once (the descriptors stay), so that it takes none of the job's files' names.
 */
class Capture {
  constructor(path) {
    this.fd = openSync(path, 'r+');
    unlinkSync(path);
    this.limit = 0; // set once the job came
  }

  /**
   * What was written since the last take: `text`, at most `limit` bytes of it, cut on a
   * character boundary, and `bytes`, how many were written. Only what is kept is read,
   * however much was written.
   */
  take() {
    const { fd, limit } = this;
    const bytes = fstatSync(fd).size;
    // One byte past the limit, to see whether the cut falls inside a character.
    const length = min(bytes, limit + 1);
    const buffer = bufferAlloc(length);
    let filled = 0;
    while (filled < length) {
      const count = readSync(fd, buffer, filled, length - filled, filled);
      if (count === 0) break;
      filled += count;
    }
    let end = min(filled, limit);
    // A UTF-8 character is at most 4 bytes: its continuation bytes (10xxxxxx) follow the first.
    if (filled > limit) {
      for (let back = 0; back < 3 && end > 0 && (buffer[end] & 0xc0) === 0x80; back++) end--;
    }
    // Descriptors 1 and 2 append, so the next test's writes start again at offset 0.
    ftruncateSync(fd, 0);
    return { __proto__: null, text: fitUtf8(utf8Slice(buffer, 0, end), limit), bytes };
  }
}

/**
 * `text` shortened to at most `limit` bytes of UTF-8: decoding bytes that are not UTF-8 gives
 * U+FFFD, three bytes for each, so the text can be longer than what was read.
 */
function fitUtf8(text, limit) {
  for (let excess = byteLength(text, 'utf8') - limit; excess > 0; ) {
    // A UTF-16 unit is at most three bytes: a third of the excess in units is not too many.
    let end = text.length - ceil(excess / 3);
    const last = charCodeAt(text, end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--; // a pair of surrogates is cut whole
    text = stringSlice(text, 0, end);
    excess = byteLength(text, 'utf8') - limit;
  }
  return text;
}

/** Writes a note to a descriptor (a capture file, or the harness's own stderr). */
function note(fd, text) {
  writeSync(fd, text);
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
  const start = code.indexOf(functionToString(fn));
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
  if (!isArray(value)) {
    throw new Failure(`${describeArgument()}: expected an array, got ${renderOrInspect(value)}`);
  }
  if (node === 'ListNode') return buildList(value, classes.ListNode);
  if (node === 'TreeNode') return buildTree(value, classes.TreeNode);
  return value.map((item) => convertArgument(item, node.array, classes, describeArgument));
}

function prepareArguments(input, parameters, classes) {
  if (!isArray(input)) input = [input];
  const args = [];
  for (let i = 0; i < input.length; i++) {
    const parameter = parameters[i];
    const describeArgument = () => `argument ${i + 1} (${parameter.name}: ${parameter.type})`;
    const value = input[i];
    const argument = parameter
      ? convertArgument(value, parameter.node, classes, describeArgument)
      : value;
    keep(args, i, argument);
  }
  return args;
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
      put(stringify(string));
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
// work): a value whose JSON is longer is reported as long as what was counted, which is
// past the limit all the same.
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
        const plain = regExpExec(PLAIN_JSON, slice) !== null;
        count(plain ? slice.length : byteLength(stringify(slice), 'utf8') - 2);
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
        return put(isFiniteNumber(value) ? stringify(value) : 'null');
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
    if (isArray(value) || (isView(value) && !(value instanceof DataView))) {
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
    const keys = objectKeys(value);
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
    if (node.array && isArray(value)) {
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
 * how long it is, measured without building it (where the measuring stopped at its caps,
 * how much it counted).
 */
function renderResult(value, node, classes, limit) {
  try {
    const sink = textSink(limit);
    writeJson(value, node, classes, sink);
    const text = sink.text();
    const bytes = byteLength(text, 'utf8');
    return bytes > limit ? { __proto__: null, bytes } : { __proto__: null, text };
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
  }
  const counter = byteCounter();
  try {
    writeJson(value, node, classes, counter);
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
  }
  return { __proto__: null, bytes: counter.bytes() };
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

const UNDESCRIBABLE = 'an exception that cannot be described';

/** An error's text: always a string, whatever the code threw or replaced. */
function describe(error) {
  try {
    const text = describeError(error);
    return typeof text === 'string' ? text : UNDESCRIBABLE;
  } catch {
    return UNDESCRIBABLE;
  }
}

function describeError(error) {
  if (error instanceof Failure) return error.message;
  if (!(error instanceof Error || isNativeError(error))) {
    return `Uncaught ${inspect(error)}`; // a thrown value that is no Error, as Node words it
  }
  const header = errorToString(error);
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const at = stringIndexOf(stack, header);
  if (at < 0) return header;
  // Node puts the source line and a caret before a syntax error's header (and before
  // some errors thrown in its own code, which the user need not see).
  const decoration = stringSlice(stack, 0, at);
  const isUsers =
    stringStartsWith(decoration, `${SOLUTION_NAME}:`) ||
    stringStartsWith(decoration, `${IMPORTS_NAME}:`);
  // The frames, one a line, up to the last one in the user's code.
  const frames = stringSlice(stack, at + header.length);
  const lastUsers = stringLastIndexOf(frames, `${SOLUTION_NAME}:`);
  const lineEnd = lastUsers < 0 ? 0 : stringIndexOf(frames, '\n', lastUsers);
  const kept = stringSlice(frames, 0, lineEnd < 0 ? frames.length : lineEnd);
  return (isUsers ? decoration : '') + header + kept;
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
 * the ListNode and TreeNode classes in the code's scope (its own, when it declares them),
 * the types its JSDoc declares, and the classes a result's lists and trees are rendered by.
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
  // From here on the code has run: builtins only, and the array's items by index.
  const found = applyFunction(run, module.exports, [
    module.exports, userRequire, module, SOLUTION_PATH, '/tmp',
  ]);
  const free = found[0];
  const Solution = found[1];
  const classes = { __proto__: null, ListNode: found[2], TreeNode: found[3] };

  const isClass = (fn) => stringStartsWith(functionToString(fn), 'class');
  let fn;
  let self;
  if (typeof free === 'function' && !isClass(free)) {
    fn = free;
  } else if (typeof Solution === 'function') {
    self = new Solution();
    if (typeof self[name] === 'function') fn = self[name];
  }
  if (fn === undefined) {
    throw new Failure(
      `function '${name}' is not defined: define it at top level or as a method of class Solution`,
    );
  }
  const typesOf = (first, second) => (typeof first === 'function' ? [first, second] : [second]);
  return {
    __proto__: null,
    fn,
    self,
    classes,
    signature: signatureOf(fn, code),
    renderClasses: {
      __proto__: null,
      lists: typesOf(classes.ListNode, ListNode),
      trees: typesOf(classes.TreeNode, TreeNode),
    },
  };
}

/**
 * Waits for a returned promise or thenable. When nothing is left that could settle it, the
 * event loop empties and Node would end the process; 'beforeExit' makes that the test's error
 * instead. The promise the harness awaits is its own, with `constructor` its own property, so
 * that `await` takes it as it is, asking nothing of Promise.prototype; a promise of the code's
 * is followed with the `then` taken at start, so that its outcome is what it settles with.
 */
function settle(value) {
  let resolve;
  let reject;
  const settled = new NativePromise((onValue, onError) => {
    resolve = onValue;
    reject = onError;
  });
  keep(settled, 'constructor', NativePromise);
  const stalled = () => reject(new Failure('the returned promise never settled'));
  onceEvent(process, 'beforeExit', stalled);
  const finish = (callback) => (outcome) => {
    offEvent(process, 'beforeExit', stalled);
    callback(outcome);
  };
  if (isPromise(value)) {
    promiseThen(value, finish(resolve), finish(reject));
  } else {
    applyFunction(value.then, value, [finish(resolve), finish(reject)]);
  }
  return settled;
}

async function runFunction(job, stdout, stderr, limits) {
  // The code's process.exit() ends its test, not the harness, as SystemExit does in Python.
  process.exit = (code) => {
    throw new Failure(`process.exit(${code === undefined ? '' : inspect(code)}) was called`);
  };
  const started = hrtime();
  let target;
  try {
    target = load(job);
  } catch (error) {
    reply(job.reply, { __proto__: null, event: 'load_failed', message: describe(error) });
    return;
  }
  reply(job.reply, { __proto__: null, event: 'loaded', compile_time_ms: elapsedMs(started) });

  const { fn, self, classes, signature, renderClasses } = target;
  for (let test = readMessage(); test !== null; test = readMessage()) {
    const record = { __proto__: null, event: 'test', index: test.index };
    let begin = hrtime();
    try {
      const args = prepareArguments(test.input, signature.parameters, classes);
      begin = hrtime();
      let value = applyFunction(fn, self, args);
      const isThenable =
        value !== null && typeof value === 'object' && typeof value.then === 'function';
      if (isPromise(value) || isThenable) value = await settle(value);
      record.time_ms = elapsedMs(begin);
      try {
        const rendered = renderResult(value, signature.result, renderClasses, limits.value);
        if (rendered.text !== undefined) record.value = rendered.text;
        else record.value_bytes = rendered.bytes;
      } catch (error) {
        record.error = `the return value cannot be rendered as JSON: ${error.message}`;
        if (isMemoryError(error)) record.limit = 'memory';
      }
    } catch (error) {
      record.time_ms = elapsedMs(begin);
      record.error = describe(error);
      if (isMemoryError(error)) record.limit = 'memory';
    }
    const out = stdout.take();
    const err = stderr.take();
    record.stdout = out.text;
    record.stdout_bytes = out.bytes;
    record.stderr = err.text;
    record.stderr_bytes = err.bytes;
    record.memory_kb = resourceUsage().maxRSS;
    reply(test.reply, record);
  }
}

const MEMORY_ERROR = /^(Invalid (array|string) length|Array buffer allocation failed)/;

/**
 * Whether an error is JavaScript's own way of running out of memory that a program can
 * catch: an array or string longer than V8 allows, or a buffer it could not allocate. (Out
 * of memory in earnest, the kernel's OOM killer ends Node, and the supervisor counts it.)
 */
function isMemoryError(error) {
  try {
    if (error && error.code === 'ERR_STRING_TOO_LONG') return true;
    if (!isNativeError(error) || error.name !== 'RangeError') return false;
    const { message } = error;
    return typeof message === 'string' && regExpExec(MEMORY_ERROR, message) !== null;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Program mode: the code is a whole program, run afresh for each test with its input as stdin.
// None of it runs in the harness's process.

async function runProgram(job, stdout, stderr, peak) {
  const started = hrtime();
  try {
    // Compiled as Node compiles a CommonJS file, only to report a syntax error up front.
    vm.compileFunction(job.code, MODULE_PARAMETERS, { filename: SOLUTION_NAME });
  } catch (error) {
    reply(job.reply, { __proto__: null, event: 'load_failed', message: describe(error) });
    return;
  }
  fs.writeFileSync(SOLUTION_PATH, job.code, { flag: 'wx' });
  reply(job.reply, { __proto__: null, event: 'loaded', compile_time_ms: elapsedMs(started) });

  const { spawn } = requireQuietly('child_process');
  // The job's args after the program's path, where Node takes no more options of its own.
  const programArgs = (job.args || []).map(String);
  const args = [...programHeap(), '--require', PEAK_MODULE, SOLUTION_PATH, ...programArgs];
  for (let test = readMessage(); test !== null; test = readMessage()) {
    const { input } = test;
    const stdin = typeof input === 'string' ? input : renderOrInspect(input);
    const begin = hrtime();
    const run = await runChild(spawn, args, stdin, peak);
    const record = { __proto__: null, event: 'test', index: test.index, time_ms: elapsedMs(begin) };
    const out = stdout.take();
    const err = stderr.take();
    // A program the kernel's OOM killer ended is killed by SIGKILL: the supervisor, which
    // counts the OOM kills, adds that it was for memory.
    if (run.error) record.error = `the program could not be started: ${run.error.message}`;
    else if (run.signal) record.error = `the program was killed by ${run.signal}`;
    else if (run.status !== 0) record.error = `the program exited with code ${run.status}`;
    if (!run.error && !run.signal) record.exit_code = run.status;
    record.output = out.text;
    record.stdout = '';
    record.stdout_bytes = out.bytes;
    record.stderr = err.text;
    record.stderr_bytes = err.bytes;
    record.memory_kb = run.peak;
    reply(test.reply, record);
  }
}

// peak.js, preloaded into each program, writes its peak resident set (KiB) as it exits into
// a file the harness opened and unlinked at start (PEAK_PATH names it only until then), which
// the program has as descriptor 3.
const PEAK_MODULE = '/opt/harness/peak.js';
const PEAK_PATH = '/tmp/.peak';
// How often the harness reads a running program's peak, for a program that dies unreported.
const SAMPLE_MS = 5;

/** The file peak.js writes a program's peak into, open and already without a name. */
function openPeakFile() {
  const fd = openSync(PEAK_PATH, 'wx+', 0o600);
  unlinkSync(PEAK_PATH);
  return fd;
}

/**
 * Runs one program to its end, its input on a pipe, its output straight into the capture
 * files (descriptors 1 and 2); resolves with its status or signal (or spawn error) and its
 * peak resident set in KiB: what it reported (into `peak`, its descriptor 3), or the most
 * the harness saw in /proc.
 */
function runChild(spawn, args, input, peak) {
  return new Promise((resolve) => {
    ftruncateSync(peak, 0);
    let child;
    let sampled = 0;
    let sampler;
    const finish = (result) => {
      clearInterval(sampler);
      resolve({ ...result, peak: Math.max(sampled, reportedPeak(peak)) });
    };
    try {
      child = spawn(process.execPath, args, { stdio: ['pipe', 1, 2, peak] });
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

function reportedPeak(peak) {
  try {
    const buffer = bufferAlloc(32);
    const count = readSync(peak, buffer, 0, buffer.length, 0);
    return parseInt(utf8Slice(buffer, 0, count), 10) || 0;
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

/** The sandbox's memory limit in MiB (SANDBOX_MEMORY_BYTES, from the supervisor), or null. */
function memoryLimitMb() {
  const text = process.env.SANDBOX_MEMORY_BYTES;
  return text !== undefined && /^\d+$/.test(text) ? Math.floor(Number(text) / 2 ** 20) : null;
}

/**
 * The program's heap size flag: the whole memory limit, as start.sh gives the harness, so
 * that a program that allocates too much fills the container and the kernel's OOM killer
 * ends it (the largest process there), which the supervisor counts; none without a limit.
 */
function programHeap() {
  const megabytes = memoryLimitMb();
  return megabytes === null ? [] : [`--max-old-space-size=${Math.max(megabytes, 16)}`];
}

// ---------------------------------------------------------------------------------------

function elapsedMs(since) {
  return toNumber(hrtime() - since) / 1e6;
}

/**
 * Writes the job's files into the code's directory, each under its plain name (the worker
 * refuses any other, and so does this); returns an error, or null. They come before the
 * code is compiled or written, as PROTOCOL.md ("Program mode") asks of every harness.
 */
function writeFiles(files) {
  for (const file of files || []) {
    const name = file && file.name;
    if (typeof name !== 'string' || name === '' || name === '.' || name === '..' ||
        name.includes('/') || name.includes('\0')) {
      return `the file name ${JSON.stringify(name)} is not a plain file name`;
    }
    if (name === SOLUTION_NAME) return `the file name ${name} is the program's own`;
    if (typeof file.content !== 'string') return `the file ${name} has no text content`;
    try {
      // 'wx': O_EXCL, so a name given twice is refused and no link is followed.
      fs.writeFileSync(`${CODE_DIR}/${name}`, file.content, { flag: 'wx', mode: 0o644 });
    } catch (error) {
      if (error.code === 'EEXIST') return `the file ${name} is given twice`;
      return `the file ${name} could not be written: ${error.message}`;
    }
  }
  return null;
}

async function main() {
  try {
    // Before the job: the names of the harness's own files go before the job's files come.
    const stdout = new Capture(STDOUT_PATH);
    const stderr = new Capture(STDERR_PATH);
    const peak = openPeakFile();
    const job = readMessage();
    if (job === null) throw new Error('the control pipe ended before the job');
    const limits = {
      output: Number(job.output_limit_bytes ?? 8192),
      value: Number(job.value_limit_bytes ?? 32768),
    };
    stdout.limit = limits.output;
    stderr.limit = limits.output;
    const failure = writeFiles(job.files);
    if (failure !== null) {
      reply(job.reply, { __proto__: null, event: 'load_failed', message: failure });
      reallyExit(0);
    }

    // What the code leaves running (a timer that throws, a promise nobody awaits) reports
    // into the current test's stderr instead of ending the process.
    const reportUncaught = (error) => {
      const prefix = error instanceof Error ? 'Uncaught ' : ''; // describe() words the others so
      note(2, `${prefix}${describe(error)}\n`);
    };
    process.on('uncaughtException', reportUncaught);
    process.on('unhandledRejection', reportUncaught);

    if (job.function_name === null || job.function_name === undefined) {
      await runProgram(job, stdout, stderr, peak);
    } else {
      await runFunction(job, stdout, stderr, limits);
    }
  } catch (error) {
    try {
      note(HARNESS_ERROR_FD, `harness failure: ${error && error.stack}\n`);
    } finally {
      reallyExit(70);
    }
  }
  // End of the control pipe: exit at once, as timers the code left behind would keep Node up.
  reallyExit(0);
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
  main();
}

// The image starts Node from a snapshot taken after this file ran (the Dockerfile), which
// spares Debian's Node, built without a snapshot of its own, most of its start-up work.
if (v8.startupSnapshot.isBuildingSnapshot()) {
  v8.startupSnapshot.setDeserializeMainFunction(start);
} else {
  start();
}
