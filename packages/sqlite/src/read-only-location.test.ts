/**
 * A store on a location the process may not write (a read-only mount, another user's
 * directory). Tests run as root, whom permissions do not stop, so the reader runs in a child
 * process under another user (nobody) when we are root, on a directory made read-only with
 * chmod: a real refusal by the kernel, not a simulation.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyDirectoryPrefix } from './read-only-open.js';
import { SqliteBackend } from './sqlite-backend.js';

let root: string;
let locked: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stowage-sqlite-ro-'));
  chmodSync(root, 0o755); // traversable by the other user
  locked = join(root, 'locked');
});
afterEach(() => {
  chmodSync(root, 0o755);
  try {
    chmodSync(locked, 0o755);
  } catch {}
  rmSync(root, { recursive: true, force: true });
});

interface ReaderReport {
  opened: string;
  entries: [string, string][];
  set: string;
  transaction: string;
  writable: string;
  created: string;
}

/** Runs the reader fixture as a user who may not write `locked` (nobody when we are root). */
function runReader(file: string, newFile: string): Promise<ReaderReport> {
  const script = fileURLToPath(new URL('./fixtures/read-only-reader.fixture.ts', import.meta.url));
  const asRoot = process.getuid?.() === 0;
  const child = spawn(process.execPath, [...childExecArgv(script), script, file, newFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
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
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ReaderReport);
      else reject(new Error(`reader exited ${code}: ${errors}${out}`));
    });
  });
}

/** A closed store of three entries in `locked`, left as a writer left it: with or without an uncheckpointed WAL. */
async function storeIn(leftoverWal: boolean): Promise<string> {
  const source = join(root, 'source');
  const file = join(source, 'store.db');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(source);
  mkdirSync(locked);
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
  return join(locked, 'store.db');
}

function privateCopies(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(copyDirectoryPrefix));
}

describe('a store on a location this process may not write', () => {
  it.each([
    ['closed cleanly (no -wal or -shm beside it)', false],
    ['left with commits only in its -wal (no -shm)', true],
  ])(
    'opens read-only and reads every commit of a store %s; writes are READ_ONLY; nothing is created',
    async (_, leftoverWal) => {
      const file = await storeIn(leftoverWal);
      const before = readdirSync(locked).sort();
      const copiesBefore = privateCopies();
      const report = await runReader(file, join(locked, 'sub', 'new.db'));
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
