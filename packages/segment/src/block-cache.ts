/**
 * A cache of verified blocks, bounded in bytes and shared by every segment of a store.
 * A block enters only after its CRC matched, so a hit needs no check. Each block is one
 * Buffer holding its raw content (no per-entry objects); the key is a small integer (the
 * reader's first block id + the block's index), so a lookup allocates nothing and hashes
 * a small integer. Eviction is least recently used, by
 * Map insertion order (a hit moves the block to the end).
 */
export class BlockCache {
  readonly capacity: number;
  readonly #blocks = new Map<number, Buffer>();
  #bytes = 0;
  #nextId = 0;
  hits = 0;
  misses = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Reserves ids for `blocks` blocks of a new reader; returns the first. */
  reserve(blocks: number): number {
    const first = this.#nextId;
    this.#nextId += blocks + 1;
    return first;
  }

  get(key: number): Buffer | undefined {
    const block = this.#blocks.get(key);
    if (block === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Refreshing every hit costs a delete and a set; refreshing only blocks in the older
    // half would need a clock; the simple form keeps hot blocks correctly.
    this.#blocks.delete(key);
    this.#blocks.set(key, block);
    return block;
  }

  set(key: number, block: Buffer): void {
    if (block.length > this.capacity) return;
    const old = this.#blocks.get(key);
    if (old !== undefined) {
      this.#bytes -= old.length;
      this.#blocks.delete(key);
    }
    this.#blocks.set(key, block);
    this.#bytes += block.length;
    if (this.#bytes <= this.capacity) return;
    for (const [evicted, buffer] of this.#blocks) {
      this.#blocks.delete(evicted);
      this.#bytes -= buffer.length;
      if (this.#bytes <= this.capacity) break;
    }
  }

  /** Drops the blocks with ids first..first+count-1 (their file is closed or deleted). */
  forget(first: number, count: number): void {
    for (let key = first; key < first + count; key++) {
      const buffer = this.#blocks.get(key);
      if (buffer === undefined) continue;
      this.#blocks.delete(key);
      this.#bytes -= buffer.length;
    }
  }

  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }
}
