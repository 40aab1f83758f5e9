import { join } from 'node:path';
import { startChild, tempDir } from '@stowage/conformance';
import { PersistentMap } from '@stowage/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-processes');
let file: string;

beforeEach(() => {
  file = join(dir(), 'shared.db');
});

describe('several processes on one file', () => {
  it('reads what another process wrote, through an open store and after reopening', async () => {
    const parent = new SqliteBackend({ file });
    await parent.open();
    await parent.set('from-parent', 'p');
    const child = startChild(new URL('./fixtures/writer.fixture.ts', import.meta.url), [file, 'child-', '200']);
    await child.line((line) => line === 'done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    // Already open: a read goes to the file, so the child's commits are seen at once.
    expect(await parent.get('child-0199')).toBe('from child 199');
    expect(await parent.size()).toBe(201);
    await parent.close();
    const reopened = new SqliteBackend({ file });
    await reopened.open();
    expect(await reopened.get('child-0000')).toBe('from child 0');
    expect(await reopened.get('from-parent')).toBe('p');
    await reopened.close();
  });

  it("shows another process's writes through a PersistentMap with a bounded cache, on the next read through", async () => {
    const map = await PersistentMap.open<string, { n: number }>(new SqliteBackend({ file }), {
      cache: { mode: 'lru', maxEntries: 100 },
      sweepInterval: 0,
    });
    await map.set('mine', { n: -1 });
    const child = startChild(new URL('./fixtures/map-writer.fixture.ts', import.meta.url), [file, 'theirs-', '50']);
    await child.line((line) => line === 'done');
    expect(await map.get('theirs-0049')).toEqual({ n: 49 });
    expect(await map.getMany(['theirs-0000', 'mine'])).toEqual([{ n: 0 }, { n: -1 }]);
    expect(await map.size()).toBe(51);
    await map.close();
  });

  it('loses no write when two processes write at the same time', async () => {
    const parent = new SqliteBackend({ file });
    await parent.open();
    const child = startChild(new URL('./fixtures/writer.fixture.ts', import.meta.url), [file, 'child-', '300']);
    let written = 0;
    const childDone = child.line((line) => line === 'done');
    let done = false;
    void childDone.finally(() => {
      done = true;
    });
    // Keep writing for as long as the child does (yielding to the event loop to hear it).
    while (!done || written < 300) {
      await parent.set(`parent-${String(written++).padStart(5, '0')}`, 'p');
      await new Promise(setImmediate);
    }
    await childDone;
    let children = 0;
    for await (const _ of parent.keys({ prefix: 'child-' })) children++;
    expect(children).toBe(300);
    expect(await parent.size()).toBe(300 + written);
    await parent.close();
  });

  it('fails a write with LOCKED once another process held the write lock past the busy timeout', async () => {
    const parent = new SqliteBackend({ file, busyTimeout: 200 });
    await parent.open();
    await parent.set('before', 'x');
    const child = startChild(new URL('./fixtures/lock-holder.fixture.ts', import.meta.url), [file]);
    try {
      await child.line((line) => line === 'locked');
      await expect(parent.set('blocked', 'x')).rejects.toMatchObject({ code: 'LOCKED', file });
      await expect(parent.apply([{ type: 'delete', key: 'before' }])).rejects.toMatchObject({ code: 'LOCKED' });
      // WAL readers are never blocked by a writer, and see only committed data.
      expect(await parent.get('before')).toBe('x');
      expect(await parent.get('uncommitted')).toBeUndefined();
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await parent.set('after', 'x');
    expect(await parent.getMany(['before', 'blocked', 'after', 'uncommitted'])).toEqual([
      'x',
      undefined,
      'x',
      undefined,
    ]);
    await parent.close();
  });
});
