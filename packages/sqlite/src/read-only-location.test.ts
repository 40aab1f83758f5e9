/**
 * A store on a location the process may not write (a read-only mount, another user's
 * directory): a real refusal by the kernel, not a simulation. Tests may run as root, whom
 * permissions do not stop, so the location is made read-only in each way this machine offers:
 * - not root: a directory and files made read-only with chmod, read by this user;
 * - root, when user `nobody` can run the reader (CI may clone into a folder only root may
 *   read, such as /root; then it cannot): the same chmod, the reader running as nobody;
 * - root, when it may mount: a tmpfs remounted read-only, read by root (EROFS stops root too).
 * At least one way must exist, or the test fails: it is never skipped silently.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv, tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyDirectoryPrefix } from './read-only-open.js';
import { SqliteBackend } from './sqlite-backend.js';

const script = fileURLToPath(new URL('./fixtures/read-only-reader.fixture.ts', import.meta.url));
const nobody = { uid: 65534, gid: 65534 };
const dir = tempDir('stowage-sqlite-ro');

/** How a location is made one the reader may not write. */
type Way = 'chmod, read by this user' | 'chmod, read by nobody' | 'read-only tmpfs mount, read by root';

/**
 * True when user nobody can start node and read what the reader loads (the fixture, tsx,
 * better-sqlite3): false when the repository sits in a folder nobody may not enter.
 */
function nobodyCanRunReader(): boolean {
  const require = createRequire(script);
  let files: string[];
  try {
    files = [script, require.resolve('tsx'), require.resolve('better-sqlite3')];
  } catch {
    return false;
  }
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      'for (const f of process.argv.slice(1)) require("node:fs").accessSync(f, require("node:fs").constants.R_OK)',
      ...files,
    ],
    { stdio: 'ignore', ...nobody },
  );
  return probe.error === undefined && probe.status === 0;
}

/** True when this process may mount a tmpfs and remount it read-only (root with CAP_SYS_ADMIN). */
function canMountReadOnly(): boolean {
  const point = dir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', point], { stdio: 'ignore' });
  } catch {
    return false;
  }
  try {
    execFileSync('mount', ['-o', 'remount,ro', point], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    unmount(point);
  }
}

/** Whether `point` is a mount point now, by the kernel's own table. */
function isMounted(point: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === point);
}

/** Unmounts `point` (lazily if busy) and throws unless it is gone: no test leaves a mount behind. */
function unmount(point: string): void {
  if (!isMounted(point)) return;
  try {
    execFileSync('umount', [point], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', point], { stdio: 'ignore' });
  }
  if (isMounted(point)) throw new Error(`${point} is still mounted`);
}

const ways: Way[] =
  process.getuid?.() !== 0
    ? ['chmod, read by this user']
    : [
        ...(nobodyCanRunReader() ? (['chmod, read by nobody'] as const) : []),
        ...(canMountReadOnly() ? (['read-only tmpfs mount, read by root'] as const) : []),
      ];

let root: string;
let locked: string;

beforeEach(() => {
  root = dir();
  // Traversable by the other user, down from the kit's own (private) folder.
  chmodSync(dirname(root), 0o755);
  chmodSync(root, 0o755);
  locked = join(root, 'locked');
});
afterEach(() => {
  try {
    unmount(locked);
  } finally {
    chmodSync(root, 0o755);
    try {
      chmodSync(locked, 0o755);
    } catch {}
  }
});

interface ReaderReport {
  opened: string;
  entries: [string, string][];
  set: string;
  transaction: string;
  writable: string;
  created: string;
}

/** Runs the reader fixture in a child process, as nobody when `way` says so. */
function runReader(file: string, newFile: string, way: Way): Promise<ReaderReport> {
  const child = spawn(process.execPath, [...childExecArgv(script), script, file, newFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(way === 'chmod, read by nobody' ? nobody : {}),
  });
  let out = '';
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ReaderReport);
      else reject(new Error(`reader exited ${code}: ${errors}${out}`));
    });
  });
}

/**
 * A closed store of three entries in `locked`, left as a writer left it (with or without an
 * uncheckpointed WAL), then `locked` made read-only the given way.
 */
async function storeIn(leftoverWal: boolean, way: Way): Promise<string> {
  const source = join(root, 'source');
  const file = join(source, 'store.db');
  mkdirSync(source);
  mkdirSync(locked);
  const mounted = way === 'read-only tmpfs mount, read by root';
  if (mounted) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', locked], { stdio: 'ignore' });
  const writer = new SqliteBackend({ file });
  await writer.open();
  await writer.set('a', 'one');
  await writer.flush(); // 'a' is in the database file
  await writer.set('b', 'two');
  await writer.set('c', 'three');
  if (leftoverWal) {
    // As a killed writer leaves it: b and c committed only in the -wal, no -shm copied.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    copyFileSync(file, join(locked, 'store.db'));
    copyFileSync(`${file}-wal`, join(locked, 'store.db-wal'));
    await writer.close();
  } else {
    await writer.close();
    expect(readdirSync(source)).toEqual(['store.db']);
    copyFileSync(file, join(locked, 'store.db'));
  }
  for (const name of readdirSync(locked)) chmodSync(join(locked, name), 0o444);
  chmodSync(locked, 0o555);
  if (mounted) execFileSync('mount', ['-o', 'remount,ro', locked], { stdio: 'ignore' });
  return join(locked, 'store.db');
}

function privateCopies(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(copyDirectoryPrefix));
}

describe('a store on a location this process may not write', () => {
  it('has a real way to make a location read-only on this machine (never skipped silently)', () => {
    expect(ways, 'as root: user nobody cannot run the reader here, and mounting a tmpfs is not permitted').not.toEqual(
      [],
    );
  });

  describe.each(ways)('made read-only by %s', (way) => {
    it.each([
      ['closed cleanly (no -wal or -shm beside it)', false],
      ['left with commits only in its -wal (no -shm)', true],
    ])(
      'opens read-only and reads every commit of a store %s; writes are READ_ONLY; nothing is created',
      async (_, leftoverWal) => {
        const file = await storeIn(leftoverWal, way);
        const before = readdirSync(locked).sort();
        const copiesBefore = privateCopies();
        const report = await runReader(file, join(locked, 'sub', 'new.db'), way);
        expect(report).toEqual({
          opened: 'ok',
          entries: [
            ['a', 'one'],
            ['b', 'two'],
            ['c', 'three'],
          ],
          set: 'READ_ONLY',
          transaction: 'READ_ONLY',
          writable: 'READ_ONLY',
          created: 'READ_ONLY',
        });
        expect(readdirSync(locked).sort()).toEqual(before);
        expect(privateCopies()).toEqual(copiesBefore);
      },
    );
  });
});

describe('read-only on a writable location', () => {
  it('refuses a missing file with READ_ONLY and creates nothing', async () => {
    const file = join(root, 'missing.db');
    const error = await new SqliteBackend({ file, readonly: true }).open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(StowageError.is(error, 'READ_ONLY')).toBe(true);
    expect((error as StowageError).file).toBe(file);
    expect(readdirSync(root)).toEqual([]);
  });

  it('opens in place (no private copy), so the commits of a live writer stay visible', async () => {
    const file = join(root, 'live.db');
    const writer = new SqliteBackend({ file });
    await writer.open();
    await writer.set('k', 'first');
    const copiesBefore = privateCopies();
    const reader = new SqliteBackend({ file, readonly: true });
    await reader.open();
    expect(privateCopies()).toEqual(copiesBefore);
    expect(await reader.get('k')).toBe('first');
    await writer.set('k', 'second');
    expect(await reader.get('k')).toBe('second');
    expect((await reader.set('k', 'third').catch((error: unknown) => error)) as StowageError).toMatchObject({
      code: 'READ_ONLY',
    });
    await reader.close();
    await writer.close();
  });
});
