import { describe, expect, it } from 'vitest';
import { latch, settle } from '../test-backends.fixture.js';
import { KeyQueue } from './key-queue.js';

/** An operation that records when it starts and finishes only when released. */
function step(name: string, events: string[], fail = false) {
  const gate = latch();
  const operation = async (): Promise<string> => {
    events.push(`start ${name}`);
    await gate.promise;
    events.push(`end ${name}`);
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
  return { operation, release: gate.release };
}

describe('KeyQueue: one key in call order, different keys at once', () => {
  it('starts an operation on a free key at once, and the next on that key only after it settled', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const first = step('first', events);
    const second = step('second', events);
    const one = queue.run('k', first.operation);
    // Synchronously: a free key costs no wait.
    expect(events).toEqual(['start first']);
    const two = queue.run('k', second.operation);
    await settle();
    expect(events).toEqual(['start first']);
    first.release();
    expect(await one).toBe('first');
    await settle();
    expect(events).toEqual(['start first', 'end first', 'start second']);
    second.release();
    expect(await two).toBe('second');
  });

  it('runs the next operation on a key after an earlier one failed, and gives each caller its own outcome', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const failing = step('failing', events, true);
    const next = step('next', events);
    const one = queue.run('k', failing.operation);
    const two = queue.run('k', next.operation);
    failing.release();
    await expect(one).rejects.toThrow('failing failed');
    next.release();
    expect(await two).toBe('next');
    expect(events).toEqual(['start failing', 'end failing', 'start next', 'end next']);
  });

  it('runs operations on different keys concurrently', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const a = step('a', events);
    const b = step('b', events);
    const done = [queue.run('a', a.operation), queue.run('b', b.operation)];
    expect(events).toEqual(['start a', 'start b']);
    b.release();
    a.release();
    expect(await Promise.all(done)).toEqual(['a', 'b']);
  });

  it('is busy while an operation on the key is queued or running, and forgets the key once the last settled', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const first = step('first', events);
    const second = step('second', events);
    expect(queue.busy('k')).toBe(false);
    const one = queue.run('k', first.operation);
    const two = queue.run('k', second.operation);
    expect(queue.busy('k')).toBe(true);
    expect(queue.busy('other')).toBe(false);
    first.release();
    await one;
    await settle();
    // The first settled, but the second is still queued: the key stays taken.
    expect(queue.busy('k')).toBe(true);
    const third = step('third', events);
    const three = queue.run('k', third.operation);
    await settle();
    expect(events).not.toContain('start third');
    second.release();
    await two;
    await settle();
    expect(events.at(-1)).toBe('start third');
    third.release();
    await three;
    await settle();
    expect(queue.busy('k')).toBe(false);
  });

  it('forgets a key after a failed operation too', async () => {
    const queue = new KeyQueue();
    const failing = step('failing', [], true);
    const one = queue.run('k', failing.operation);
    failing.release();
    await expect(one).rejects.toThrow();
    await settle();
    expect(queue.busy('k')).toBe(false);
  });
});

describe('KeyQueue.runMany: a multi-key operation holds every key it names', () => {
  it('starts at once when none of its keys is taken', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const many = step('many', events);
    const done = queue.runMany(['a', 'b'], many.operation);
    expect(events).toEqual(['start many']);
    expect(queue.busy('a') && queue.busy('b')).toBe(true);
    many.release();
    await done;
    await settle();
    expect(queue.busy('a') || queue.busy('b')).toBe(false);
  });

  it('waits for every earlier operation on each of its keys, failed ones included', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const onA = step('a', events, true);
    const onB = step('b', events);
    const many = step('many', events);
    const a = queue.run('a', onA.operation);
    const b = queue.run('b', onB.operation);
    const both = queue.runMany(['a', 'b', 'a'], many.operation);
    onA.release();
    await expect(a).rejects.toThrow();
    await settle();
    expect(events).not.toContain('start many');
    onB.release();
    await b;
    await settle();
    expect(events.at(-1)).toBe('start many');
    many.release();
    expect(await both).toBe('many');
  });

  it('makes later single-key operations on any of its keys wait for it, and leaves other keys free', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const many = step('many', events);
    const later = step('later', events);
    const free = step('free', events);
    const both = queue.runMany(['a', 'b'], many.operation);
    const onB = queue.run('b', later.operation);
    const onC = queue.run('c', free.operation);
    await settle();
    expect(events).toEqual(['start many', 'start free']);
    many.release();
    await both;
    await settle();
    expect(events).toContain('start later');
    // `a` is free again; `b` is held by the later operation until it settles.
    expect(queue.busy('a')).toBe(false);
    expect(queue.busy('b')).toBe(true);
    later.release();
    free.release();
    await Promise.all([onB, onC]);
    await settle();
    expect(queue.busy('b')).toBe(false);
  });

  it('keeps a key taken after the batch settles when a later operation queued on it', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const many = step('many', events, true);
    const later = step('later', events);
    const both = queue.runMany(['a', 'b'], many.operation);
    const onA = queue.run('a', later.operation);
    many.release();
    await expect(both).rejects.toThrow();
    await settle();
    expect(queue.busy('a')).toBe(true);
    expect(queue.busy('b')).toBe(false);
    later.release();
    await onA;
  });
});

describe('KeyQueue.hold and release: a set that found its key free', () => {
  it('holds the key until released, and a release of an older operation leaves a newer one in place', async () => {
    const queue = new KeyQueue();
    const held = latch();
    queue.hold('k', held.promise);
    expect(queue.busy('k')).toBe(true);
    const events: string[] = [];
    const next = step('next', events);
    const after = queue.run('k', next.operation);
    // The held write is no longer the key's last operation: releasing it keeps the key taken.
    queue.release('k', held.promise);
    expect(queue.busy('k')).toBe(true);
    await settle();
    expect(events).toEqual([]);
    held.release();
    await settle();
    expect(events).toEqual(['start next']);
    next.release();
    await after;
    await settle();
    expect(queue.busy('k')).toBe(false);
  });

  it('frees the key when the held operation is released', () => {
    const queue = new KeyQueue();
    const held = latch();
    queue.hold('k', held.promise);
    queue.release('k', held.promise);
    expect(queue.busy('k')).toBe(false);
  });
});

describe('KeyQueue.drain', () => {
  it('settles once every operation queued so far settled, failed ones included, without waiting for later ones', async () => {
    const queue = new KeyQueue();
    const events: string[] = [];
    const a = step('a', events, true);
    const b = step('b', events);
    const late = step('late', events);
    const onA = queue.run('a', a.operation);
    const onB = queue.run('b', b.operation);
    onA.catch(() => undefined);
    let drained = false;
    const drain = queue.drain().then(() => {
      drained = true;
    });
    const onLate = queue.run('c', late.operation);
    a.release();
    await settle();
    expect(drained).toBe(false);
    b.release();
    await drain;
    expect(drained).toBe(true);
    expect(events).not.toContain('end late');
    late.release();
    await onLate;
    await onB;
  });
});
