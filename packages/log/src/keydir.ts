/**
 * The key directory: for every live key, where its newest value lies (file, offset and
 * length of the value bytes), its sequence number and its flags. A `Map<string, number>`
 * gives each key a slot; the slot's fields live in typed arrays, so a key costs the map
 * entry plus 21 bytes instead of a JavaScript object per key.
 */

const INITIAL_CAPACITY = 1024;

export class Keydir {
  #slots = new Map<string, number>();
  #free: number[] = [];
  #used = 0;
  file = new Uint32Array(INITIAL_CAPACITY);
  valueOffset = new Uint32Array(INITIAL_CAPACITY);
  valueLength = new Uint32Array(INITIAL_CAPACITY);
  sequence = new Float64Array(INITIAL_CAPACITY);
  flags = new Uint8Array(INITIAL_CAPACITY);

  get size(): number {
    return this.#slots.size;
  }

  /** The slot of `key`, or undefined when it has none; read its fields from the arrays. */
  slot(key: string): number | undefined {
    return this.#slots.get(key);
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** Points `key` at a new location; returns its slot. */
  set(key: string, file: number, valueOffset: number, valueLength: number, sequence: number, flags: number): number {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#grow();
      this.#slots.set(key, slot);
    }
    this.update(slot, file, valueOffset, valueLength, sequence, flags);
    return slot;
  }

  /** Points `key`, known to be absent, at a location: one map operation instead of two (open inserts millions). */
  insert(key: string, file: number, valueOffset: number, valueLength: number, sequence: number, flags: number): number {
    const slot = this.#free.pop() ?? this.#grow();
    this.#slots.set(key, slot);
    this.update(slot, file, valueOffset, valueLength, sequence, flags);
    return slot;
  }

  /** Rewrites the fields of a slot in place. */
  update(slot: number, file: number, valueOffset: number, valueLength: number, sequence: number, flags: number): void {
    this.file[slot] = file;
    this.valueOffset[slot] = valueOffset;
    this.valueLength[slot] = valueLength;
    this.sequence[slot] = sequence;
    this.flags[slot] = flags;
  }

  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#slots.delete(key);
    this.#free.push(slot);
    return true;
  }

  /** Keys in insertion order (the map's order). */
  keys(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /** Key and slot pairs; the slot's fields are valid until the next change of that key. */
  entries(): IterableIterator<[string, number]> {
    return this.#slots.entries();
  }

  #grow(): number {
    if (this.#used === this.file.length) {
      const capacity = this.file.length * 2;
      this.file = grown(this.file, new Uint32Array(capacity));
      this.valueOffset = grown(this.valueOffset, new Uint32Array(capacity));
      this.valueLength = grown(this.valueLength, new Uint32Array(capacity));
      this.sequence = grown(this.sequence, new Float64Array(capacity));
      this.flags = grown(this.flags, new Uint8Array(capacity));
    }
    return this.#used++;
  }
}

function grown<T extends Uint32Array | Float64Array | Uint8Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
