import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

let backend: SqliteBackend;

beforeEach(async () => {
  backend = new SqliteBackend({ file: ':memory:', iterationChunkSize: 2 });
  await backend.open();
  await backend.apply(['b', 'd', 'f', 'h', 'j', 'l'].map((key) => ({ type: 'set', key, value: key }) as const));
});
afterEach(async () => {
  await backend.close();
});

describe('iteration while the same connection writes', () => {
  it('lets the loop body write, and sees writes ahead of the cursor but never repeats a key', async () => {
    const seen: string[] = [];
    for await (const [key] of backend.entries()) {
      seen.push(key);
      if (key === 'd') {
        await backend.set('a', 'behind'); // before the cursor: not seen
        await backend.set('e', 'ahead'); // after it: seen
        await backend.delete('h'); // after it: gone
        await backend.set('d', 'again'); // the current key: not repeated
      }
    }
    expect(seen).toEqual(['b', 'd', 'e', 'f', 'j', 'l']);
    expect(await backend.get('a')).toBe('behind');
  });

  it('does the same in reverse', async () => {
    const seen: string[] = [];
    for await (const key of backend.keys({ reverse: true })) {
      seen.push(key);
      if (key === 'j') {
        await backend.set('z', 'behind');
        await backend.set('c', 'ahead');
        await backend.delete('f');
      }
    }
    expect(seen).toEqual(['l', 'j', 'h', 'd', 'c', 'b']);
  });

  it('lets batches and clears run while an iterator is open and unfinished', async () => {
    const iterator = backend.entries()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(['b', 'b']);
    await backend.apply([{ type: 'set', key: 'k', value: 'k' }]);
    await backend.clear({ gte: 'h' });
    const rest: string[] = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest.push(step.value[0]);
    expect(rest).toEqual(['d', 'f']);
  });

  it('reads no further than the limit across pages', async () => {
    const seen: string[] = [];
    for await (const key of backend.keys({ gt: 'b', limit: 3 })) seen.push(key);
    expect(seen).toEqual(['d', 'f', 'h']);
  });

  it('fails an iterator that outlives its store with STORE_CLOSED', async () => {
    const iterator = backend.keys()[Symbol.asyncIterator]();
    await iterator.next();
    await backend.close();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
