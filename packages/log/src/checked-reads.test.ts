/**
 * Every read checks the record's CRC: a byte flipped in a value is CORRUPTION naming the
 * file and the record's offset, never a wrong value. Open does not read merged files
 * that have a hint file, so without this check such damage would be returned as data.
 */
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

/** Flips one byte of the first place `needle` occurs in a file of `dir` matching `suffix`; returns the file and offset. */
function flipIn(dir: string, suffix: string, needle: string): { file: string; at: number } {
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith(suffix))) {
    const path = join(dir, name);
    const bytes = readFileSync(path);
    const at = bytes.indexOf(needle);
    if (at < 0) continue;
    bytes[at + 2] = bytes[at + 2]! ^ 0x01;
    writeFileSync(path, bytes);
    return { file: name, at };
  }
  throw new Error(`${needle} not found`);
}

async function corruption(promise: Promise<unknown>): Promise<StowageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error, 'CORRUPTION'), String(error)).toBe(true);
  return error as StowageError;
}

describe('checked reads', () => {
  it('a flipped byte in a merged file read through its hint file is CORRUPTION with file and offset', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 20; i++) await log.set(`key-${i}`, `value-${i}-${'x'.repeat(100)}`);
    await log.set('bytes', new Uint8Array([1, 2, 3, 250, 251, 252, 253]));
    for (let i = 0; i < 10; i++) await log.set(`pad-${i}`, 'p'.repeat(200));
    await log.merge();
    const stats = await log.stats();
    expect(stats.files.some((file) => file.kind === 'merged' && file.hasHint)).toBe(true);
    await log.close();

    const flipped = flipIn(dir, '.data', 'value-7-');
    const reopened = await openLog({ dir, maxFileSize: 1024 });
    // The hint file was used, so open never read the damaged record.
    expect((await reopened.stats()).recovery).toEqual([]);
    const error = await corruption(reopened.get('key-7'));
    expect(error.message).toContain(flipped.file);
    const recordAt = flipped.at - RECORD_HEADER_SIZE - Buffer.byteLength('key-7');
    expect(error.message).toContain(`byte ${recordAt}`);
    // Its neighbours are intact and still read.
    expect(await reopened.get('key-6')).toBe(`value-6-${'x'.repeat(100)}`);
    expect(await reopened.get('bytes')).toEqual(new Uint8Array([1, 2, 3, 250, 251, 252, 253]));
    await corruption(reopened.getMany(['key-6', 'key-7']));
    // verify() reports the same record.
    const report = await reopened.verify();
    expect(report.problems).toContainEqual(expect.objectContaining({ file: flipped.file, offset: recordAt }));
  });

  it('a flipped byte in a binary value is CORRUPTION too', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('blob', new Uint8Array(Buffer.from('BINARY-PAYLOAD-0123456789')));
    const flipped = flipIn(dir, '.data', 'BINARY-PAYLOAD');
    const error = await corruption(log.get('blob'));
    expect(error.message).toContain(flipped.file);
  });

  it('damage after open in the active file is caught by get and getVersion', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', 'first-value');
    await log.set('a', 'second-value');
    const [first] = await log.versions('a');
    flipIn(dir, '.data', 'first-value');
    await corruption(log.getVersion('a', first!.sequence));
    expect(await log.get('a')).toBe('second-value');
    flipIn(dir, '.data', 'second-value');
    await corruption(log.get('a'));
  });

  it('a record cut short after open is CORRUPTION, even right after the same record was read whole', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k', 'the-whole-value');
    expect(await log.get('k')).toBe('the-whole-value');
    const path = join(dir, '000001.data');
    truncateSync(path, statSync(path).size - 3);
    const error = await corruption(log.get('k'));
    expect(error.message).toContain('000001.data');
  });
});
