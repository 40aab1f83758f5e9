/**
 * Guarantee: a hint file is only a shortcut. When the hint of a merged data file is
 * damaged (a flipped byte, cut short, emptied), open says so in `stats().recovery`
 * (`ignored-hint`, naming the hint file) and reads the data file itself instead, so every
 * entry and every deletion the merge kept is there as before.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog, tempDir } from './test-helpers.fixture.js';

async function mergedStore(): Promise<{ dir: string; hints: string[] }> {
  const dir = tempDir();
  const log = await openLog({ dir, maxFileSize: 1024 });
  for (let i = 0; i < 30; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(100)}`);
  for (let i = 0; i < 30; i += 3) await log.delete(`k${i}`);
  await log.merge();
  await log.close();
  const hints = readdirSync(dir).filter((name) => name.endsWith('.hint'));
  expect(hints.length).toBeGreaterThan(0);
  return { dir, hints };
}

describe('a damaged hint file', () => {
  it.each([
    [
      'a flipped byte',
      (bytes: Buffer) => {
        bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x10;
        return bytes;
      },
    ],
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 3)],
    ['emptied', () => Buffer.alloc(0)],
  ])('(%s) is ignored with a recovery note, and the data file is read instead', async (_damage, damage) => {
    const { dir, hints } = await mergedStore();
    const hint = join(dir, hints[0]!);
    writeFileSync(hint, damage(Buffer.from(readFileSync(hint))));
    const log = await openLog({ dir, maxFileSize: 1024 });
    const recovery = (await log.stats()).recovery;
    expect(recovery).toContainEqual(expect.objectContaining({ action: 'ignored-hint', file: hint }));
    for (let i = 0; i < 30; i++) {
      expect(await log.get(`k${i}`)).toBe(i % 3 === 0 ? undefined : `${i}-${'v'.repeat(100)}`);
    }
    expect(await log.size()).toBe(20);
  });
});
