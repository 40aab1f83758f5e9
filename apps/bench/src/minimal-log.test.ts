import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MinimalLog } from './minimal-log.js';

describe('the minimal log', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'minimal-log-'));
    dirs.push(dir);
    return join(dir, 'data.log');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the newest value of each key after a reopen', () => {
    const path = fresh();
    const log = new MinimalLog(path);
    log.set('a', 'first');
    log.append([
      ['b', 'ünïcode ✓'],
      ['a', 'second'],
    ]);
    expect([log.get('a'), log.get('b'), log.get('c')]).toEqual(['second', 'ünïcode ✓', undefined]);
    log.close();
    const reopened = new MinimalLog(path);
    expect([reopened.get('a'), reopened.get('b'), [...reopened.keys()]]).toEqual(['second', 'ünïcode ✓', ['a', 'b']]);
    reopened.close();
  });

  it('ignores a torn last record', () => {
    const path = fresh();
    const log = new MinimalLog(path);
    log.set('kept', 'value');
    log.close();
    appendFileSync(path, Buffer.from([3, 0, 0, 0, 9, 0, 0, 0, 0x61]));
    const reopened = new MinimalLog(path);
    expect([...reopened.keys()]).toEqual(['kept']);
    expect(reopened.get('kept')).toBe('value');
    reopened.set('after', 'the tear');
    expect(reopened.get('after')).toBe('the tear');
    reopened.close();
  });
});
