/** The log engine iterates in key order like memory and sqlite, so limit and reverse give the same answer. */
import { describe, expect, it } from 'vitest';
import { openLog } from './test-helpers.fixture.js';

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of iterable) keys.push(key);
  return keys;
}

describe('ordered iteration', () => {
  it('keys and entries come in key order; prefix, reverse and limit combine as on every ordered engine', async () => {
    const log = await openLog();
    expect(log.supports.orderedIteration).toBe(true);
    // Inserted out of order, and with keys whose UTF-16 order differs from code point order.
    for (const key of ['p:c', 'q:a', 'p:a', 'p:\uFF61', 'p:\u{1F600}', 'p:b', 'a']) await log.set(key, key);
    expect(await collect(log.keys({ prefix: 'p:' }))).toEqual(['p:a', 'p:b', 'p:c', 'p:\uFF61', 'p:\u{1F600}']);
    expect(await collect(log.keys({ prefix: 'p:', reverse: true, limit: 2 }))).toEqual(['p:\u{1F600}', 'p:\uFF61']);
    const entries: string[] = [];
    for await (const [key] of log.entries({ gte: 'p:b', reverse: true })) entries.push(key);
    expect(entries).toEqual(['q:a', 'p:\u{1F600}', 'p:\uFF61', 'p:c', 'p:b']);
  });
});
