import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './temp-dir.js';

const directory = tempDir('stowage temp/dir test');

describe('tempDir', () => {
  it('gives a new empty directory under the system temp folder on each call', () => {
    const first = directory();
    const second = directory();
    expect(first).not.toBe(second);
    expect(dirname(first)).toBe(dirname(second));
    expect(first.startsWith(tmpdir())).toBe(true);
    expect(readdirSync(first)).toEqual([]);
    writeFileSync(join(first, 'file'), 'x');
    expect(readdirSync(second)).toEqual([]);
    expect(existsSync(join(first, 'file'))).toBe(true);
  });

  it('names its root after the label, made safe for a path', () => {
    expect(dirname(directory()).slice(tmpdir().length + 1)).toMatch(/^stowage_temp_dir_test-/);
  });
});
