/** Issue 8 item 6: a crash may tear only the last journal record; anything more is reported. */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { crc32c } from '@stowage/fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import type { CsvBackendOptions } from './options.js';

const dir = tempDir('stowage-csv-journal');
let directory: string;
let path: string;
let journal: string;

beforeEach(() => {
  directory = dir();
  path = join(directory, 'store.csv');
  journal = `${path}.journal`;
});

/**
 * Writes `count` separately awaited sets and leaves the store as a crash would (journal in
 * place). Each awaited set is one record either way; `durability: 'none'` only skips the
 * fsyncs, which would make the test slow without changing a byte of the journal.
 */
async function crashAfterSets(count: number): Promise<Buffer> {
  const backend = new CsvBackend({ path, durability: 'none' });
  await backend.open();
  for (let i = 0; i < count; i++) await backend.set(`key-${i}`, `{"n":${i}}`);
  const bytes = readFileSync(journal);
  await backend.close();
  rmSync(path);
  writeFileSync(journal, bytes);
  return bytes;
}

async function openOutcome(options: Partial<CsvBackendOptions> = {}) {
  const backend = new CsvBackend({ path, ...options });
  try {
    await backend.open();
  } catch (error) {
    return { error: error as Record<string, unknown>, backend };
  }
  return { error: undefined, backend };
}

describe('journal damage at open', () => {
  it('zeroing the last 4 KiB after 300 acknowledged sets fails with CORRUPTION naming file and offset', async () => {
    const bytes = await crashAfterSets(300);
    // Zeros from inside a record (past its length digits), as in the attack report.
    let zeroFrom = bytes.length - 4096;
    while (bytes[zeroFrom - 1] === 0x0a || bytes.lastIndexOf(0x0a, zeroFrom - 1) > zeroFrom - 12) zeroFrom++;
    bytes.fill(0, zeroFrom);
    writeFileSync(journal, bytes);
    const { error } = await openOutcome();
    expect(error).toMatchObject({ code: 'CORRUPTION', file: journal });
    expect(error?.offset).toBe(bytes.lastIndexOf(0x0a, zeroFrom) + 1);
    expect(readFileSync(journal)).toEqual(bytes); // nothing cut
  });

  it('a damaged record followed by valid ones fails with CORRUPTION at the damaged record', async () => {
    const bytes = await crashAfterSets(5);
    const second = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    bytes[second + 25] = bytes[second + 25]! ^ 0x01;
    writeFileSync(journal, bytes);
    const { error } = await openOutcome();
    expect(error).toMatchObject({ code: 'CORRUPTION', file: journal, offset: second });
    expect(String(error?.message)).toContain('onJournalDamage');
  });

  it('with onJournalDamage "truncate": keeps the writes before it, saves the cut bytes, warns and reports', async () => {
    const bytes = await crashAfterSets(5);
    const second = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    bytes[second + 25] = bytes[second + 25]! ^ 0x01;
    writeFileSync(journal, bytes);
    const heard: unknown[] = [];
    const { error, backend } = await openOutcome({ onJournalDamage: 'truncate', onWarning: (w) => heard.push(w) });
    expect(error).toBeUndefined();
    expect(await backend.get('key-0')).toBe('{"n":0}');
    expect(await backend.has('key-1')).toBe(false);
    expect(backend.warnings).toMatchObject([{ kind: 'journal-damaged', file: journal, offset: second }]);
    expect(heard).toEqual(backend.warnings);
    expect(backend.recovery).toMatchObject([
      { action: 'cut-damaged-journal', file: journal, offset: second, bytes: bytes.length - second },
    ]);
    const aside = readdirSync(directory).filter((name) => name.startsWith('store.csv.journal.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(directory, aside[0]!))).toEqual(bytes.subarray(second));
    await backend.close();
  });

  it('cuts a torn last record without a warning, and records it in recovery', async () => {
    const bytes = await crashAfterSets(3);
    const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    writeFileSync(journal, bytes.subarray(0, bytes.length - 5));
    const { error, backend } = await openOutcome();
    expect(error).toBeUndefined();
    expect(await backend.size()).toBe(2);
    expect(backend.warnings).toEqual([]);
    expect(backend.recovery).toMatchObject([{ action: 'truncated-tail', offset: lastStart }]);
    await backend.close();
  });

  it('refuses a foreign file in place of the journal and leaves it untouched', async () => {
    await crashAfterSets(3);
    const foreign = Buffer.from('id,name\n1,Ada\n2,Grace\n');
    writeFileSync(journal, foreign);
    const { error } = await openOutcome();
    expect(error).toMatchObject({ code: 'CORRUPTION', file: journal, offset: 0 });
    expect(readFileSync(journal)).toEqual(foreign);
  });

  it('refuses a journal of a newer format with NOT_SUPPORTED', async () => {
    writeFileSync(journal, 'STOWAGE-CSV-JOURNAL 9\nwhatever\n');
    const { error } = await openOutcome();
    expect(error).toMatchObject({ code: 'NOT_SUPPORTED', file: journal });
  });

  it('reads a journal of the old format (no header), folds it in and restarts it in the new format', async () => {
    const line = (json: string) => `${crc32c(Buffer.from(json)).toString(16).padStart(8, '0')} ${json}\n`;
    writeFileSync(path, 'key,value\r\nold,1\r\n');
    writeFileSync(journal, line('[["s","a","1"]]') + line('[["s","b","2"],["d","old"]]'));
    const { error, backend } = await openOutcome();
    expect(error).toBeUndefined();
    expect(await backend.get('a')).toBe('1');
    expect(await backend.get('b')).toBe('2');
    expect(await backend.has('old')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\na,1\r\nb,2\r\n');
    expect(readFileSync(journal, 'utf8')).toBe('STOWAGE-CSV-JOURNAL 2\n');
    expect(backend.recovery).toMatchObject([{ action: 'converted-journal' }]);
    await backend.close();
    expect(existsSync(journal)).toBe(false);
  });
});
