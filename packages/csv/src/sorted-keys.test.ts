import { describe, expect, it } from 'vitest';
import { SortedKeys } from './sorted-keys.js';

// The range search itself is core's keysWithin, property-tested in core; here, what
// SortedKeys adds: the lazily rebuilt order over a live Map.
describe('SortedKeys', () => {
  it('yields the keys of the map within a range, in code-point order or reversed', () => {
    const sorted = new SortedKeys(new Map(['b', 'ab', 'a', 'c', '😀', '\uffff'].map((k) => [k, 1])));
    expect([...sorted.within({})]).toEqual(['a', 'ab', 'b', 'c', '\uffff', '😀']);
    expect([...sorted.within({ prefix: 'a', reverse: true })]).toEqual(['ab', 'a']);
    expect([...sorted.within({ gt: 'a', lte: 'c' })]).toEqual(['ab', 'b', 'c']);
  });

  it('sees keys added after an invalidation', () => {
    const map = new Map([['b', 1]]);
    const sorted = new SortedKeys(map);
    expect([...sorted.within({})]).toEqual(['b']);
    map.set('a', 2);
    sorted.invalidate();
    expect([...sorted.within({})]).toEqual(['a', 'b']);
  });

  it('keeps its order until invalidated (a write costs no sort)', () => {
    const map = new Map([['b', 1]]);
    const sorted = new SortedKeys(map);
    expect([...sorted.within({})]).toEqual(['b']);
    map.set('a', 2);
    expect([...sorted.within({})]).toEqual(['b']);
  });
});
