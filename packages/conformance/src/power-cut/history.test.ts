import { describe, expect, it } from 'vitest';
import { WriteHistory } from './history.js';

function historyOf(
  writes: ReadonlyArray<[key: string, value: string | undefined, state: 'acknowledged' | 'pending' | 'failed']>,
) {
  const history = new WriteHistory();
  for (const [key, value, state] of writes) history.begin([{ key, value }], false)[0]!.state = state;
  return history;
}

describe('WriteHistory', () => {
  it('under a durable setting, allows the last acknowledged value or any later one, nothing older', () => {
    const history = historyOf([
      ['k', 'v1', 'acknowledged'],
      ['k', 'v2', 'acknowledged'],
      ['k', 'v3', 'pending'],
    ]);
    expect(history.check(new Map([['k', 'v2']]), true, false)).toEqual([]);
    expect(history.check(new Map([['k', 'v3']]), true, false)).toEqual([]);
    expect(history.check(new Map([['k', 'v1']]), true, false)).toHaveLength(1);
    expect(history.check(new Map(), true, false)).toHaveLength(1);
  });

  it('allows absence when no write of the key had to survive, and refuses keys never written', () => {
    const history = historyOf([['k', 'v1', 'failed']]);
    expect(history.check(new Map(), true, false)).toEqual([]);
    expect(history.check(new Map([['k', 'v1']]), true, false)).toEqual([]);
    const violations = history.check(
      new Map([
        ['k', 'torn'],
        ['ghost', 'x'],
      ]),
      true,
      false,
    );
    expect(violations.map((violation) => violation.key).sort()).toEqual(['ghost', 'k']);
  });

  it('treats a delete as a value: absent after an acknowledged delete', () => {
    const history = historyOf([
      ['k', 'v1', 'acknowledged'],
      ['k', undefined, 'acknowledged'],
    ]);
    expect(history.check(new Map(), true, false)).toEqual([]);
    expect(history.check(new Map([['k', 'v1']]), true, false)).toHaveLength(1);
  });

  it('without durability, only what a completed flush covered must survive', () => {
    const history = historyOf([['k', 'v1', 'acknowledged']]);
    history.markFlushed(history.acknowledged());
    history.begin([{ key: 'k', value: 'v2' }], false)[0]!.state = 'acknowledged';
    expect(history.check(new Map([['k', 'v1']]), false, false)).toEqual([]);
    expect(history.check(new Map([['k', 'v2']]), false, false)).toEqual([]);
    expect(history.check(new Map(), false, false)).toHaveLength(1);
    expect(history.check(new Map([['k', 'v1']]), true, false)).toHaveLength(1);
  });

  it('refuses a batch in flight that survived on some keys only, where batches are atomic', () => {
    const history = historyOf([
      ['a', 'a1', 'acknowledged'],
      ['b', 'b1', 'acknowledged'],
    ]);
    history.begin(
      [
        { key: 'a', value: 'a2' },
        { key: 'b', value: 'b2' },
      ],
      true,
    );
    const half = new Map([
      ['a', 'a2'],
      ['b', 'b1'],
    ]);
    expect(history.check(half, true, false)).toEqual([]);
    expect(history.check(half, true, true)).toHaveLength(1);
    expect(
      history.check(
        new Map([
          ['a', 'a2'],
          ['b', 'b2'],
        ]),
        true,
        true,
      ),
    ).toEqual([]);
  });
});
