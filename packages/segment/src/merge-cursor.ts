/**
 * Merges sorted sources (newest first: memtable, frozen memtables, level-0 files newest
 * first, then one cursor per deeper level) into one ordered stream where each key shows
 * its newest entry. Ties go to the earlier (newer) source and the older entries of the
 * same key are skipped. Tombstones come through, so compaction can keep them; readers
 * skip them.
 */
import { compareKeys, type EncodedValue } from '@stowage/core';
import type { EntryCursor } from './entry-cursor.js';
import { ALL_KEYS, aboveUpper, belowLower, type KeyBounds } from './key-bounds.js';
import type { SegmentCursor, SegmentReader } from './segment-reader.js';

export class MergeCursor implements EntryCursor {
  readonly #sources: EntryCursor[];
  readonly #reverse: boolean;
  #current: EntryCursor | undefined;
  valid = false;
  key = '';
  kind = 0;

  constructor(sources: EntryCursor[], reverse: boolean) {
    this.#sources = sources;
    this.#reverse = reverse;
    this.#pick();
  }

  value(): EncodedValue | undefined {
    return this.#current!.value();
  }

  next(): void {
    if (!this.valid) return;
    const key = this.key;
    for (const source of this.#sources) {
      if (source.valid && source.key === key) source.next();
    }
    this.#pick();
  }

  #pick(): void {
    let best: EntryCursor | undefined;
    for (const source of this.#sources) {
      if (!source.valid) continue;
      if (best === undefined) {
        best = source;
        continue;
      }
      const order = compareKeys(source.key, best.key);
      if (this.#reverse ? order > 0 : order < 0) best = source;
    }
    this.#current = best;
    if (best === undefined) {
      this.valid = false;
      return;
    }
    this.valid = true;
    this.key = best.key;
    this.kind = best.kind;
  }
}

/** One file of a level, as the level cursor needs it. */
export interface LevelFile {
  readonly reader: SegmentReader;
  readonly smallest: string;
  readonly largest: string;
}

/** A cursor over a level of non-overlapping files (sorted by key): one file open at a time. */
export class LevelCursor implements EntryCursor {
  readonly #files: readonly LevelFile[];
  readonly #bounds: KeyBounds;
  readonly #reverse: boolean;
  #index: number;
  #cursor: SegmentCursor | undefined;
  valid = false;
  key = '';
  kind = 0;

  constructor(files: readonly LevelFile[], bounds: KeyBounds = ALL_KEYS, reverse = false) {
    this.#files = files;
    this.#bounds = bounds;
    this.#reverse = reverse;
    if (!reverse) {
      const lower = bounds.lower;
      let index = 0;
      if (lower !== undefined) while (index < files.length && compareKeys(files[index]!.largest, lower) < 0) index++;
      this.#index = index;
    } else {
      const upper = bounds.upper;
      let index = files.length - 1;
      if (upper !== undefined) while (index >= 0 && compareKeys(files[index]!.smallest, upper) > 0) index--;
      this.#index = index;
    }
    this.#open();
  }

  value(): EncodedValue | undefined {
    return this.#cursor!.value();
  }

  next(): void {
    if (!this.valid) return;
    this.#cursor!.next();
    if (this.#cursor!.valid) this.#expose();
    else {
      this.#index += this.#reverse ? -1 : 1;
      this.#open();
    }
  }

  #open(): void {
    while (this.#index >= 0 && this.#index < this.#files.length) {
      const file = this.#files[this.#index]!;
      if (this.#reverse ? belowLower(file.largest, this.#bounds) : aboveUpper(file.smallest, this.#bounds)) break;
      this.#cursor = this.#files[this.#index]!.reader.cursor(this.#bounds, this.#reverse);
      if (this.#cursor.valid) {
        this.#expose();
        return;
      }
      // A file entirely past the far bound ends the level; an empty one is skipped.
      this.#index += this.#reverse ? -1 : 1;
    }
    this.valid = false;
    this.#cursor = undefined;
  }

  #expose(): void {
    this.valid = true;
    this.key = this.#cursor!.key;
    this.kind = this.#cursor!.kind;
  }
}
