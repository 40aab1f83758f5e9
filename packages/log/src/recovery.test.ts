import { cpSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

const firstFile = (dir: string) => join(dir, '000001.data');

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x10;
  writeFileSync(path, bytes);
}

async function openError(dir: string): Promise<StowageError> {
  const backend = new LogBackend({ dir });
  try {
    await backend.open();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  } finally {
    await backend.close();
  }
  throw new Error('open succeeded');
}

describe('recovery', () => {
  it('cutting the last transaction at every byte keeps every earlier commit, and a later write and reopen too', async () => {
    const source = tempDir();
    const log = await openLog({ dir: source });
    await log.set('a', 'first');
    await log.set('b', new Uint8Array([2]));
    const before = readFileSync(firstFile(source)).length;
    await log.transaction(async (tx) => {
      await tx.set('x', 'one');
      await tx.set('y', 'two');
      await tx.delete('a');
    });
    await log.close();
    const after = readFileSync(firstFile(source)).length;
    expect(after).toBeGreaterThan(before);

    for (let cut = before; cut < after; cut++) {
      const dir = tempDir();
      cpSync(source, dir, { recursive: true });
      truncateSync(firstFile(dir), cut);
      const reopened = await openLog({ dir });
      expect(await reopened.get('a')).toBe('first');
      expect(await reopened.get('x')).toBeUndefined();
      expect(await reopened.get('y')).toBeUndefined();
      const stats = await reopened.stats();
      if (cut > before) expect(stats.recovery.map((action) => action.action)).toContain('truncated-tail');
      await reopened.set('z', `after-${cut}`);
      await reopened.close();
      const third = await openLog({ dir });
      expect(await third.getMany(['a', 'b', 'x', 'z'])).toEqual([
        'first',
        new Uint8Array([2]),
        undefined,
        `after-${cut}`,
      ]);
      await third.close();
    }
  });

  it('a flipped bit with intact records after it fails the open with CORRUPTION naming file and offset', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    const third = FILE_HEADER_SIZE + 2 * recordSize;
    flipByte(firstFile(dir), third + RECORD_HEADER_SIZE + 4);
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(firstFile(dir));
    expect(error.offset).toBe(third);
    expect(error.message).toContain('000001.data');
  });

  it('damage at the end of a file that is not the newest is corruption, not a tail', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 60; i++) await log.set(`key-${i}`, 'x'.repeat(40));
    await log.close();
    const path = firstFile(dir);
    const size = readFileSync(path).length;
    flipByte(path, size - 1);
    expect((await openError(dir)).code).toBe('CORRUPTION');
  });

  it('a newest file whose header was torn at creation is started again', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '000002.data'), Buffer.from('STOWL'));
    const again = await openLog({ dir });
    expect(await again.get('a')).toBe('1');
    await again.set('b', '2');
    expect((await again.stats()).recovery.map((action) => action.action)).toEqual(['rewrote-header']);
    await again.close();
    const third = await openLog({ dir });
    expect(await third.get('b')).toBe('2');
  });

  it('a file that is not a log file fails the open with CORRUPTION', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '000001.data'), Buffer.alloc(100, 7));
    writeFileSync(join(dir, '000002.data'), Buffer.alloc(0));
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.offset).toBe(0);
  });

  it('removes temp files and orphan hints left by an interrupted merge', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    // fs's temp naming: `.<target>.<pid>-<12 hex>.tmp`. A dead writer's file is debris; a live one's stays.
    const dead = '.000009.data.2147483646-0123456789ab.tmp';
    const live = `.000010.data.${process.ppid}-0123456789ab.tmp`;
    writeFileSync(join(dir, dead), 'partial');
    writeFileSync(join(dir, live), 'being written');
    writeFileSync(join(dir, '000009.hint'), 'orphan');
    const again = await openLog({ dir });
    expect((await again.stats()).recovery.map((action) => action.action).sort()).toEqual([
      'removed-orphan-hint',
      'removed-temp-file',
    ]);
    expect(existsSync(join(dir, dead))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    expect(await again.get('a')).toBe('1');
  });
});
