/**
 * `verify()` in detail: its counts, every damaged place of a file (it scans on past
 * damage), an unfinished transaction, a damaged file header, each way a hint entry can
 * disagree with its record, and an unreadable file list. It changes nothing.
 */
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HintEntry, HintWriter, readHintFile } from './hint-file.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(path, bytes);
}

const recordSize = RECORD_HEADER_SIZE + 2 + 7;
const recordAt = (index: number) => FILE_HEADER_SIZE + index * recordSize;

/** An open store with merged files (and hints) and a log file. */
async function mergedStore() {
  const dir = tempDir();
  const log = await openLog({ dir, maxFileSize: 1024 });
  for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
  await log.delete('k0');
  // Too big to share a file: the active file holds only this record.
  await log.set('tail', 't'.repeat(900));
  await log.merge();
  const files = (await log.stats()).files;
  const merged = files.find((file) => file.kind === 'merged')!.file;
  return { dir, log, files, merged, hint: merged.replace('.data', '.hint') };
}

type EntryFields = { -readonly [field in keyof HintEntry]: HintEntry[field] };

/** Rewrites a hint file with every entry passed through `change` (which returns its key), under a valid checksum. */
function rewriteHint(path: string, id: number, change: (entry: EntryFields, key: string) => string): void {
  const writer = new HintWriter(id);
  readHintFile(readFileSync(path), id, (entry, key) => {
    const copy = { ...entry };
    writer.add(copy, Buffer.from(change(copy, key), 'utf8'));
  });
  writeFileSync(path, writer.finish());
}

const changes: [string, (entry: EntryFields, key: string) => string][] = [
  [
    'sequence',
    (entry, key) => {
      entry.sequence += 1;
      return key;
    },
  ],
  [
    'flags',
    (entry, key) => {
      entry.flags ^= 2;
      return key;
    },
  ],
  [
    'value length',
    (entry, key) => {
      entry.valueLength += 1;
      return key;
    },
  ],
  ['key', (_entry, key) => `${key.slice(0, -1)}x`],
  [
    'offset',
    (entry, key) => {
      entry.offset += 1;
      return key;
    },
  ],
];

describe('verify reports', () => {
  it('counts data files, hint files and records of an intact store', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    expect(await log.verify()).toEqual({ ok: true, dataFiles: 1, hintFiles: 0, records: 10, problems: [] });
    const { log: merged, files } = await mergedStore();
    const report = await merged.verify();
    expect(report.ok).toBe(true);
    expect(report.dataFiles).toBe(files.length);
    expect(report.hintFiles).toBe(files.filter((file) => file.hasHint).length);
    // k1..k11 once each in the merged files (the merge dropped the rest), and the tail in the log file.
    expect(report.records).toBe(12);
  });

  it('reports every damaged place of a file, not only the first, and the records around them', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    const path = join(dir, '000001.data');
    flipByte(path, recordAt(2) + 36);
    flipByte(path, recordAt(6) + 36);
    const report = await log.verify();
    expect(report).toEqual({
      ok: false,
      dataFiles: 1,
      hintFiles: 0,
      records: 8,
      problems: [
        { file: '000001.data', offset: recordAt(2), reason: 'record checksum mismatch' },
        { file: '000001.data', offset: recordAt(6), reason: 'record checksum mismatch' },
      ],
    });
  });

  it('reports an unfinished transaction and a damaged file header', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
    ]);
    for (let i = 0; i < 4; i++) await log.set(`pad-${i}`, 'p'.repeat(300));
    const first = join(dir, '000001.data');
    // Cut after the transaction's first record: the file ends inside it.
    truncateSync(first, recordAt(2));
    const cut = await log.verify();
    expect(cut.problems).toContainEqual({ file: '000001.data', offset: recordAt(1), reason: 'unfinished transaction' });
    flipByte(first, 2);
    const header = await log.verify();
    expect(header.problems).toContainEqual({ file: '000001.data', offset: 0, reason: expect.any(String) });
    expect(header.problems.filter((problem) => problem.file === '000001.data' && problem.offset !== 0)).toEqual([]);
  });

  it.each(changes)('reports each hint entry whose %s disagrees with its record', async (_label, change) => {
    const { dir, log, merged, hint } = await mergedStore();
    const entries: string[] = [];
    readHintFile(readFileSync(join(dir, hint)), Number.parseInt(merged, 10), (_entry, key) => entries.push(key));
    const changed: string[] = [];
    rewriteHint(join(dir, hint), Number.parseInt(merged, 10), (entry, key) => {
      const written = change(entry, key);
      changed.push(written);
      return written;
    });
    const report = await log.verify();
    expect(report.ok).toBe(false);
    const hintProblems = report.problems.filter((problem) => problem.file === hint);
    expect(hintProblems.length).toBe(entries.length);
    // Each problem names the key its hint entry gives, so a person can find the record.
    expect(hintProblems.map((problem) => problem.reason)).toEqual(
      changed.map((key) => expect.stringContaining(`"${key}"`)),
    );
  });

  it('a hint entry of a transaction record matches though the merged record lost its framing', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    await log.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'b', value: '2' },
    ]);
    for (let i = 0; i < 6; i++) await log.set(`pad-${i}`, 'p'.repeat(300));
    await log.merge();
    const hint = readdirSync(dir).find((name) => name.endsWith('.hint'))!;
    const id = Number.parseInt(hint, 10);
    // Framing flags in the hint entries: verify compares flags without them.
    rewriteHint(join(dir, hint), id, (entry, key) => {
      if (key === 'a') entry.flags |= 4;
      return key;
    });
    expect((await log.verify()).problems).toEqual([]);
  });

  it('reports an unreadable file list and changes no file', async () => {
    const { dir, log } = await mergedStore();
    writeFileSync(join(dir, 'FILES'), '{not json');
    const before = readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size]);
    const report = await log.verify();
    expect(report.problems).toEqual([{ file: 'FILES', offset: 0, reason: expect.stringContaining('FILES') }]);
    expect(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size])).toEqual(before);
  });

  it('a store without a file list (as before lists existed) verifies clean', async () => {
    const { dir, log } = await mergedStore();
    rmSync(join(dir, 'FILES'));
    expect(await log.verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('never holds the active log file to a size in the file list: it is still growing', async () => {
    const { dir, log, files } = await mergedStore();
    const active = files.find((file) => file.active)!;
    const listed = files.map((file) => [Number.parseInt(file.file, 10), file.bytes + 1]);
    writeFileSync(join(dir, 'FILES'), JSON.stringify({ format: 1, files: listed }));
    const report = await log.verify();
    // Every immutable file's size disagrees by one byte; the active one is not checked.
    expect(report.problems.map((problem) => problem.file).sort()).toEqual(
      files
        .filter((file) => !file.active)
        .map((file) => file.file)
        .sort(),
    );
    expect(report.problems.map((problem) => problem.file)).not.toContain(active.file);
  });
});
