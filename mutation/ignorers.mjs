// StrykerJS ignorers. `wording`: mutants inside the text of an error
// message change what a person reads, not what a program can rely on (callers branch on
// StowageError's `code`, node's error `code`, `file`, `key`, `offset`). They are reported
// as ignored with this reason instead of dragging the score. Codes, details and the
// conditions that choose between errors are still mutated.

/** Calls whose arguments at these indexes are only message text ('all': every argument). */
const messageArgument = new Map([
  ['Error', [0]],
  ['RangeError', [0]],
  ['TypeError', [0]],
  ['StowageError', [1]], // new StowageError(code, message, details)
  // fs: diskError(code, message, syscall, path). `syscall` copies node's field for a person
  // reading the error; no engine reads it (they branch on `code`).
  ['diskError', [1, 2]],
  ['notFound', [0]], // fs simulated disk: notFound(syscall, path), an ENOENT diskError
  ['#file', [0]], // fs simulated disk: this.#file(syscall, path), the syscall its errors name
  ['#folder', [0]], // the same, this.#folder(syscall, path)
  ['#assertFolder', [0]], // the same, this.#assertFolder(syscall, path)
  ['#assertAlive', [1]], // the same, this.#assertAlive(generation, syscall, path): EIO after a power cut
  ['later', [0]], // the same, host.later(syscall, path, work): the syscall its EIO names
  ['lockedError', [1]], // fs: lockedError(path, who, origin)
  ['corruption', [0]], // csv: corruption(message, file, offset); segment's differs, see below
  ['notSupported', [0]],
  ['invalidConfig', [0]],
  ['invalidValue', [0]],
  ['csvFileError', [2]], // csv: csvFileError(error, file, action)
  ['tail', [1]], // csv journal-format: tail(kind, why): `why` only words warnings and CORRUPTION messages
  ['report', [2]], // csv csv-file: report(line, start, reason): a malformed row's reason is text; code, line and offset are kept
  ['damageError', [2]], // csv journal: damageError(path, offset, reason, intactAfter)
  ['corruptionError', [2]], // log: corruptionError(file, offset, reason)
  ['configError', [0]],
  ['argumentError', [0]],
  ['ioError', [2]], // log: ioError(error, file, action)
  ['fail', [0]], // fail(why) helpers that throw a coded error; a bare call only (see below)
  ['corrupt', [0]], // maplet: corrupt(why, offset?)
  ['mismatch', 'all'], // maplet: mismatch(what, stored, given) only words an INVALID_CONFIG message
  ['BlockDamage', [0]], // segment: new BlockDamage(why), turned into CORRUPTION with its place
  ['unsupported', [0, 1]], // core: unsupported(operation, why) → NOT_SUPPORTED
  ['toStowageError', [2]], // core: toStowageError(error, origin, context)
  ['engineError', [1]], // core: engineError(error, context)
  ['checkFunction', [1]], // core: checkFunction(value, what, origin)
  ['#call', [0]], // core AbstractBackend: this.#call(context, operation)
  ['encodeFailed', [0, 1]], // core codecs: encodeFailed(codec, why, cause) → ENCODE_FAILED
  ['decodeFailed', [0, 1]], // core codecs: decodeFailed(codec, why, cause) → DECODE_FAILED
  ['asText', [0]], // core codecs: asText(codec, data): the codec name only words DECODE_FAILED
]);

/** Where a package's function of the same name puts its message elsewhere. */
const packageMessageArgument = [
  { folder: 'packages/segment/', name: 'corruption', indexes: [2] }, // (file, offset, reason)
  // maplet's backend: what the call was (#exactOnly('expire')), or what it cannot do, only words a NOT_SUPPORTED message.
  { folder: 'packages/maplet/', name: '#exactOnly', indexes: [0] },
  { folder: 'packages/maplet/', name: '#approximateOnly', indexes: [0] },
  { folder: 'packages/maplet/', name: '#unsupported', indexes: [0] },
];

function calleeName(call) {
  const callee = call.callee;
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && callee.property.type === 'Identifier') return callee.property.name;
  if (callee.type === 'MemberExpression' && callee.property.type === 'PrivateName')
    return `#${callee.property.id.name}`;
  return undefined;
}

function fileOf(path) {
  // Stryker traverses a babel File, whose hub knows the file name.
  return path.hub?.file?.opts?.filename?.replaceAll('\\', '/');
}

function isMessageArgument(path) {
  const call = path.parentPath;
  if (path.listKey !== 'arguments' || !(call?.isCallExpression() || call?.isNewExpression())) return false;
  if (call.node.callee.type === 'Super') return path.key === 0 && extendsAnError(call);
  const name = calleeName(call.node);
  // batch.fail(index, error) and options.fail(row) are not messages: only a bare fail(why) is.
  if (name === 'fail' && call.node.callee.type !== 'Identifier') return false;
  const file = fileOf(path) ?? '';
  const override = packageMessageArgument.find((rule) => rule.name === name && file.includes(rule.folder));
  const indexes = override?.indexes ?? messageArgument.get(name);
  return indexes === 'all' || indexes?.includes(path.key) === true;
}

// super(message) in the constructor of a class extending an error class.
function extendsAnError(path) {
  const owner = path.findParent((parent) => parent.isClass());
  const base = owner?.node.superClass;
  return base?.type === 'Identifier' && base.name.endsWith('Error');
}

// csv's recovery actions and warnings: `{ action | kind, file, offset, detail | message }`. The
// action or kind is what a program reads; `detail` and `message` are the words for a person.
function isCsvReportText(path) {
  const property = path.parentPath;
  if (path.key !== 'value' || !property?.isObjectProperty()) return false;
  const key = property.node.key;
  if (key.type !== 'Identifier' || (key.name !== 'detail' && key.name !== 'message')) return false;
  return (fileOf(path) ?? '').includes('packages/csv/');
}

// fileError(error, { ..., action: 'lock' }): the action is only read into the message.
function isFileErrorAction(path) {
  const property = path.parentPath;
  if (path.key !== 'value' || !property?.isObjectProperty()) return false;
  const key = property.node.key;
  if (key.type !== 'Identifier' || key.name !== 'action') return false;
  const call = property.parentPath?.parentPath;
  return Boolean(call?.isCallExpression() && calleeName(call.node) === 'fileError');
}

const wording = {
  shouldIgnore(path) {
    if (isMessageArgument(path) || isFileErrorAction(path) || isCsvReportText(path)) {
      return 'error message wording: callers rely on the code and details, not the text';
    }
    return undefined;
  },
};

/**
 * Equivalent mutants in files this folder may not annotate: the node (file; line, or text on
 * its first line, or the function it is in; node type, and operator or literal value where given) whose every mutant changes nothing observable, with why.
 * Where a source file can be edited, a `// Stryker disable next-line` comment is better.
 */
const equivalentNodes = [
  ...[
    [13, 'latin1'],
    [96, 'utf8'],
    [98, 'utf8'],
  ].map(([line, value]) => ({
    file: 'packages/log/src/record-format.ts',
    line,
    type: 'StringLiteral',
    value,
    reason: 'an empty encoding name means utf8, which writes these ASCII and UTF-8 strings byte for byte the same',
  })),
  ...[
    ['packages/log/src/hint-file.ts', 14, 'latin1'],
    ['packages/log/src/merge-manifest.ts', 25, 'utf8'],
    ['packages/log/src/merge-manifest.ts', 45, 'utf8'],
  ].map(([file, line, value]) => ({
    file,
    line,
    type: 'StringLiteral',
    value,
    reason: 'an empty encoding name means utf8, and these are ASCII texts (a magic, JSON of file numbers): same bytes',
  })),
  {
    file: 'packages/fs/src/crc32c.ts',
    text: 'const end8 =',
    type: 'BinaryExpression',
    operator: '&',
    reason: 'a smaller end8 only leaves more bytes to the byte-at-a-time loop: slicing-by-8 is a speed-up, same CRC',
  },
  {
    file: 'packages/csv/src/csv-read.ts',
    text: 'for (let i = start; i < data.length; i++)',
    type: 'BinaryExpression',
    operator: '<',
    reason: 'i <= data.length only adds a pass over data[length] (undefined), which matches no byte',
  },
  {
    file: 'packages/csv/src/csv-read.ts',
    within: 'countLines',
    text: 'for (let i = 0; i < bytes.length; i++)',
    type: 'BinaryExpression',
    operator: '<',
    reason: 'i <= bytes.length only adds a pass over bytes[length] (undefined), which counts no line',
  },
  {
    file: 'packages/csv/src/csv-read.ts',
    text: 'while (i < bytes.length)',
    type: 'BinaryExpression',
    operator: '<',
    reason: 'at i === bytes.length every branch fails and it returns i, which is bytes.length anyway',
  },
  {
    file: 'packages/csv/src/csv-read.ts',
    within: 'rowAlignedPieces',
    text: 'fieldStart = false;',
    type: 'BooleanLiteral',
    reason: 'the byte after a closing quote is never a quote, and it sets fieldStart again',
  },
  // A `// Stryker disable` comment cannot reach a catch block, nor one mutant of a line whose
  // other mutants of the same kind matter: these are listed here instead.
  {
    file: 'packages/fs/src/lock.ts',
    within: 'isLive',
    text: '} catch {',
    type: 'BlockStatement',
    reason:
      "isLive's catch: emptied, it still answers not live (undefined), and its only caller replaces the entry at once",
  },
  {
    file: 'packages/log/src/merge-manifest.ts',
    line: 39,
    type: 'BlockStatement',
    reason:
      "parseMergeManifest's catch: emptied, unparsable text fails the checksum check next, CORRUPTION all the same (only the wording differs)",
  },
  {
    file: 'packages/fs/src/group-commit-queue.ts',
    within: '#finish',
    text: '} catch {',
    type: 'BlockStatement',
    reason: 'an emptied catch falls through to isThenable(undefined), which returns undefined as the catch does',
  },
  {
    file: 'packages/log/src/file-list.ts',
    line: 49,
    type: 'BlockStatement',
    reason:
      "readFileList's catch: emptied, text that is not JSON fails the format check next, CORRUPTION of FILES all the same (only the wording differs)",
  },
  {
    file: 'packages/fs/src/lock-generations.ts',
    within: 'parseContent',
    text: '} catch {',
    type: 'BlockStatement',
    reason: 'an emptied catch returns undefined, which is what it returns',
  },
  {
    file: 'packages/csv/src/legacy-journal.ts',
    within: 'decodeLine',
    text: '} catch {',
    type: 'BlockStatement',
    reason: 'an emptied catch returns undefined, which is what it returns',
  },
  {
    file: 'packages/fs/src/lock.ts',
    text: "if (errorCode(error) === 'ENOENT') return { kind: 'none' }",
    type: 'StringLiteral',
    value: 'none',
    reason:
      'a vanished old-format file: any kind other than held or wait proceeds as none, and removing it finds nothing',
  },
  {
    file: 'packages/fs/src/disk-faults.ts',
    text: "if (fault.remaining !== 'always'",
    type: 'StringLiteral',
    value: 'always',
    reason: 'an always-on fault counts down to NaN, never 0, so it is never removed either way',
  },
];

/** The lines of the file being instrumented, split once per file. */
const linesOf = new Map();
function lineText(path, line) {
  const file = fileOf(path) ?? '';
  let lines = linesOf.get(file);
  if (lines === undefined) {
    lines = (path.hub?.file?.code ?? '').split('\n');
    linesOf.set(file, lines);
  }
  return lines[line - 1] ?? '';
}

/** The name of the function (or method) around a node, for entries keyed by `within`. */
function enclosingFunction(path) {
  const fn = path.getFunctionParent();
  if (fn === null) return undefined;
  const { node } = fn;
  if (node.id?.name !== undefined) return node.id.name;
  if (node.key?.type === 'Identifier') return node.key.name;
  if (node.key?.type === 'PrivateName') return `#${node.key.id.name}`;
  const owner = fn.parentPath;
  return owner?.isVariableDeclarator() && owner.node.id.type === 'Identifier' ? owner.node.id.name : undefined;
}

function isEquivalent(path) {
  const { node } = path;
  const file = fileOf(path);
  if (file === undefined) return undefined;
  return equivalentNodes.find(
    (entry) =>
      file.endsWith(entry.file) &&
      // By line number, or (sturdier: edits above it do not move it) by text on the node's first line.
      (entry.line === undefined || node.loc.start.line === entry.line) &&
      (entry.text === undefined || lineText(path, node.loc.start.line).includes(entry.text)) &&
      (entry.within === undefined || enclosingFunction(path) === entry.within) &&
      node.type === entry.type &&
      (entry.operator === undefined || node.operator === entry.operator) &&
      (entry.value === undefined || node.value === entry.value),
  )?.reason;
}

const equivalent = {
  shouldIgnore(path) {
    const reason = isEquivalent(path);
    return reason === undefined ? undefined : `equivalent: ${reason}`;
  },
};

export const strykerPlugins = [
  { kind: 'Ignore', name: 'wording', value: wording },
  { kind: 'Ignore', name: 'equivalent', value: equivalent },
];
