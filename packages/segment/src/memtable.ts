/**
 * The memtable: the newest writes, in memory, until they are flushed to a level-0
 * segment. A Map answers point reads; a sorted key array, rebuilt lazily by merging in
 * only the keys added since the last build, answers ordered scans. Iterators read from a
 * snapshot: the sorted array of their start (never mutated: a rebuild makes a new one),
 * plus an undo map per open snapshot that keeps the value a key had when the snapshot
 * was taken, filled by writes that come later.
 */
import { compareKeys, type EncodedValue, rangeBounds } from '@stowage/core';
import type { EntryCursor } from './entry-cursor.js';
import type { KeyBounds } from './key-bounds.js';
import { KIND_BYTES, KIND_STRING, KIND_TOMBSTONE } from './segment-format.js';
import { type Lookup, TOMBSTONE } from './segment-reader.js';

/** Per-entry overhead counted against the memtable's byte threshold (Map slot, array slot, strings). */
const ENTRY_OVERHEAD = 48;

type Stored = EncodedValue | typeof TOMBSTONE;

/** What an open snapshot remembers of keys written after it was taken. */
interface Snapshot {
  readonly undo: Map<string, Stored | undefined>;
}

export class Memtable {
  /** The WAL file that holds this memtable's writes. */
  readonly walNumber: number;
  readonly #map = new Map<string, Stored>();
  #sorted: string[] = [];
  #added: string[] = [];
  #bytes = 0;
  readonly #snapshots = new Set<Snapshot>();

  constructor(walNumber: number) {
    this.walNumber = walNumber;
  }

  /** Approximate bytes held (keys, values and per-entry overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Value, tombstone, or undefined when the memtable says nothing about `key`. */
  lookup(key: string): Lookup {
    const stored = this.#map.get(key);
    // A copy: the caller may change the bytes it gets.
    return stored instanceof Uint8Array ? stored.slice() : stored;
  }

  /** Records a write: a value (kept as given: the caller passes its own copy), or undefined for a deletion (kept as a tombstone). */
  write(key: string, value: EncodedValue | undefined): void {
    const stored: Stored = value === undefined ? TOMBSTONE : value;
    const previous = this.#map.get(key);
    for (const snapshot of this.#snapshots) if (!snapshot.undo.has(key)) snapshot.undo.set(key, previous);
    if (previous === undefined) {
      this.#added.push(key);
      this.#bytes += ENTRY_OVERHEAD + key.length * 2;
    } else this.#bytes -= sizeOf(previous);
    this.#bytes += sizeOf(stored);
    this.#map.set(key, stored);
  }

  /** The keys in code-point order (an array never mutated afterwards). */
  sortedKeys(): string[] {
    if (this.#added.length === 0) return this.#sorted;
    const added = this.#added.sort(compareKeys);
    this.#added = [];
    const old = this.#sorted;
    const merged: string[] = new Array(old.length + added.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < added.length) {
      merged[k++] = compareKeys(old[i]!, added[j]!) < 0 ? old[i++]! : added[j++]!;
    }
    while (i < old.length) merged[k++] = old[i++]!;
    while (j < added.length) merged[k++] = added[j++]!;
    this.#sorted = merged;
    return merged;
  }

  /**
   * A cursor over the entries within `bounds` as they are now, unaffected by later
   * writes; `release` must be called when done (it stops the undo bookkeeping).
   */
  cursor(bounds: KeyBounds, reverse: boolean): MemtableCursor {
    const snapshot: Snapshot = { undo: new Map() };
    this.#snapshots.add(snapshot);
    return new MemtableCursor(this.sortedKeys(), this.#map, snapshot, bounds, reverse, () =>
      this.#snapshots.delete(snapshot),
    );
  }

  /** Every entry in key order, tombstones included (for a flush of a frozen memtable). */
  *sortedEntries(): Generator<[string, EncodedValue | undefined]> {
    for (const key of this.sortedKeys()) {
      const stored = this.#map.get(key)!;
      yield [key, stored === TOMBSTONE ? undefined : stored];
    }
  }
}

function sizeOf(stored: Stored): number {
  if (stored === TOMBSTONE) return 0;
  return typeof stored === 'string' ? stored.length * 2 : stored.byteLength;
}

export class MemtableCursor implements EntryCursor {
  readonly #keys: string[];
  readonly #map: Map<string, Stored>;
  readonly #snapshot: Snapshot;
  /** The slice [start, end) of the keys within the bounds. */
  readonly #start: number;
  readonly #end: number;
  readonly #reverse: boolean;
  readonly #release: () => void;
  #position: number;
  #value: Stored | undefined;
  valid = false;
  key = '';
  kind = 0;

  constructor(
    keys: string[],
    map: Map<string, Stored>,
    snapshot: Snapshot,
    bounds: KeyBounds,
    reverse: boolean,
    release: () => void,
  ) {
    this.#keys = keys;
    this.#map = map;
    this.#snapshot = snapshot;
    this.#reverse = reverse;
    this.#release = release;
    [this.#start, this.#end] = rangeBounds(keys, bounds.range);
    this.#position = reverse ? this.#end - 1 : this.#start;
    this.#settle();
  }

  value(): EncodedValue | undefined {
    const value = this.#value;
    if (value === TOMBSTONE) return undefined;
    return value instanceof Uint8Array ? value.slice() : value;
  }

  next(): void {
    if (!this.valid) return;
    this.#position += this.#reverse ? -1 : 1;
    this.#settle();
  }

  /** Stops tracking later writes for this cursor. */
  release(): void {
    this.valid = false;
    this.#release();
  }

  #settle(): void {
    const keys = this.#keys;
    while (this.#position >= this.#start && this.#position < this.#end) {
      const key = keys[this.#position]!;
      const undo = this.#snapshot.undo;
      const stored = undo.has(key) ? undo.get(key) : this.#map.get(key);
      if (stored !== undefined) {
        this.valid = true;
        this.key = key;
        this.#value = stored;
        this.kind = stored === TOMBSTONE ? KIND_TOMBSTONE : typeof stored === 'string' ? KIND_STRING : KIND_BYTES;
        return;
      }
      this.#position += this.#reverse ? -1 : 1;
    }
    this.valid = false;
    this.release();
  }
}
