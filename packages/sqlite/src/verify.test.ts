import { closeSync, copyFileSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-verify');
let directory: string;
let file: string;

beforeEach(() => {
  directory = dir();
  file = join(directory, 'store.db');
});

/** A closed store of 2,000 entries, all in the database file (the WAL checkpointed away). */
async function storeOf2000(): Promise<void> {
  const backend = new SqliteBackend({ file });
  await backend.open();
  await backend.apply(
    Array.from({ length: 2000 }, (_, i) => ({
      type: 'set' as const,
      key: `key${String(i).padStart(5, '0')}`,
      value: i === 1234 ? 'needle-value' : 'v'.repeat(100),
    })),
  );
  await backend.close();
}

async function opened(): Promise<SqliteBackend> {
  const backend = new SqliteBackend({ file });
  await backend.open();
  return backend;
}

describe('verify', () => {
  it('says ok for a sound store, with both checks', async () => {
    await storeOf2000();
    const backend = await opened();
    const full = await backend.verify();
    expect(full).toMatchObject({ ok: true, check: 'integrity_check', problems: [] });
    expect(full.pages).toBeGreaterThan(50);
    expect(full.pageSize).toBe(4096);
    expect(await backend.verify({ quick: true })).toMatchObject({ ok: true, check: 'quick_check', problems: [] });
    await backend.close();
  });

  it('reports a damaged page by number and offset, without throwing, and changes nothing', async () => {
    await storeOf2000();
    const backend = await opened();
    const { pages, pageSize } = await backend.verify();
    await backend.close();
    // Scramble the header of a page in the middle of the table's b-tree (not page 1, so the
    // schema still reads and the store opens).
    const page = Math.floor(pages / 2);
    const descriptor = openSync(file, 'r+');
    writeSync(descriptor, Buffer.from([0x00, 0xff, 0xff, 0x7f, 0x7f]), 0, 5, (page - 1) * pageSize);
    closeSync(descriptor);
    const damaged = readFileSync(file);
    const reopened = await opened();
    for (const quick of [false, true]) {
      const report = await reopened.verify({ quick });
      expect(report.ok).toBe(false);
      const named = report.problems.find((problem) => problem.page === page);
      expect(named, JSON.stringify(report.problems.slice(0, 5))).toMatchObject({
        file,
        offset: (page - 1) * pageSize,
      });
    }
    await reopened.close();
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('reports rows of a type the engine never writes', async () => {
    await storeOf2000();
    const raw = new Database(file);
    raw.prepare('UPDATE stowage SET value = 42 WHERE key = ?').run('key00007');
    raw.close();
    const backend = await opened();
    const report = await backend.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.reason).toContain("'key00007'");
    expect(report.problems[0]!.reason).toContain('value is integer');
    await backend.close();
  });

  it('refuses options it does not know with INVALID_ARGUMENT', async () => {
    await storeOf2000();
    const backend = await opened();
    for (const options of [{ quik: true }, { quick: 'yes' }, null, 'quick']) {
      const error = await backend.verify(options as never).catch((thrown: unknown) => thrown);
      expect(StowageError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    }
    await backend.close();
  });
});

// What the README says SQLite cannot catch, shown so the sentences stay true.
describe('what no check can find (SQLite has no page checksums)', () => {
  it('returns a value whose bytes were flipped on disk as it is, and verify says ok', async () => {
    await storeOf2000();
    const bytes = readFileSync(file);
    const at = bytes.indexOf('needle-value');
    expect(at).toBeGreaterThan(0);
    bytes.write('N', at);
    writeFileSync(file, bytes);
    const backend = await opened();
    expect(await backend.get('key01234')).toBe('Needle-value');
    expect((await backend.verify()).ok).toBe(true);
    await backend.close();
  });

  it('rolls back the commits after a damaged WAL frame without a word, and verify says ok', async () => {
    const writer = new SqliteBackend({ file });
    await writer.open();
    await writer.set('before', 'checkpointed');
    await writer.flush(); // in the database file; the WAL is empty
    await writer.set('first', 'in the wal');
    await writer.set('second', 'in the wal');
    // Leave the files as a killed writer would: the two commits only in the -wal.
    const copy = join(directory, 'copy.db');
    copyFileSync(file, copy);
    copyFileSync(`${file}-wal`, `${copy}-wal`);
    await writer.close();
    // One flipped byte in the first frame's page (after the 32-byte WAL header and the 24-byte frame header).
    const wal = readFileSync(`${copy}-wal`);
    wal[32 + 24 + 100] = (wal[32 + 24 + 100] ?? 0) ^ 0xff;
    writeFileSync(`${copy}-wal`, wal);
    const reader = new SqliteBackend({ file: copy });
    await reader.open();
    expect(await reader.get('before')).toBe('checkpointed');
    expect(await reader.get('first')).toBeUndefined();
    expect(await reader.get('second')).toBeUndefined();
    expect((await reader.verify()).ok).toBe(true);
    await reader.close();
  });
});
