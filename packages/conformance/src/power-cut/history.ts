/**
 * What the power-cut section knows about the writes it made, and what it may therefore
 * find after the power returns. Per key, writes are totally ordered (the workload never
 * writes one key twice at once). The "floor" of a key is the newest write that must have
 * survived: under a durable setting the newest acknowledged one; otherwise the newest one
 * acknowledged before a flush (or close) that completed. After a cut a key may hold the
 * floor's value or the value of any write after it, nothing older and nothing else.
 */
import type { Value } from './values.js';
import { describeValue, sameValue } from './values.js';

export type WriteState = 'pending' | 'acknowledged' | 'failed';

export interface WriteRecord {
  readonly key: string;
  /** undefined for a delete. */
  readonly value: Value | undefined;
  /** The batch (apply call) the write belongs to, if any. */
  readonly batch: number | undefined;
  state: WriteState;
  /** True once a flush or close that started after its acknowledgement completed. */
  flushed: boolean;
}

/** A key, the value found, and why it is wrong. */
export interface Violation {
  readonly key: string;
  readonly problem: string;
}

export class WriteHistory {
  readonly #byKey = new Map<string, WriteRecord[]>();
  readonly #batches = new Map<number, WriteRecord[]>();
  #nextBatch = 1;

  /** Keys that were ever written. */
  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  /** Records the start of one write, or of a batch when `batch` is true. */
  begin(operations: ReadonlyArray<{ key: string; value: Value | undefined }>, batch: boolean): WriteRecord[] {
    const batchId = batch ? this.#nextBatch++ : undefined;
    const records = operations.map(({ key, value }) => {
      const record: WriteRecord = { key, value, batch: batchId, state: 'pending', flushed: false };
      let list = this.#byKey.get(key);
      if (list === undefined) {
        list = [];
        this.#byKey.set(key, list);
      }
      list.push(record);
      return record;
    });
    if (batchId !== undefined) this.#batches.set(batchId, records);
    return records;
  }

  /** Every write acknowledged so far is now durable whatever the durability setting (a flush or close completed). */
  markFlushed(acknowledgedBefore: ReadonlySet<WriteRecord>): void {
    for (const record of acknowledgedBefore) record.flushed = true;
  }

  acknowledged(): Set<WriteRecord> {
    const result = new Set<WriteRecord>();
    for (const list of this.#byKey.values())
      for (const record of list) if (record.state === 'acknowledged') result.add(record);
    return result;
  }

  /** The writes whose value `key` may hold, oldest first; index 0 is the floor (undefined value = absent). */
  candidates(key: string, durable: boolean): Array<{ value: Value | undefined; record: WriteRecord | undefined }> {
    const list = this.#byKey.get(key) ?? [];
    let floor = -1;
    list.forEach((record, index) => {
      if (record.state === 'acknowledged' && (durable || record.flushed)) floor = index;
    });
    const floorRecord = floor >= 0 ? list[floor] : undefined;
    return [
      { value: floorRecord?.value, record: floorRecord },
      ...list.slice(floor + 1).map((record) => ({ value: record.value, record })),
    ];
  }

  /** Checks what the reopened store holds against what it may hold. */
  check(found: ReadonlyMap<string, Value>, durable: boolean, atomicBatches: boolean): Violation[] {
    const violations: Violation[] = [];
    for (const key of found.keys()) {
      if (!this.#byKey.has(key))
        violations.push({ key, problem: `is present (${describeValue(found.get(key))}) but was never written` });
    }
    for (const key of this.#byKey.keys()) {
      const value = found.get(key);
      const candidates = this.candidates(key, durable);
      if (!candidates.some((candidate) => sameValue(candidate.value, value))) {
        violations.push({
          key,
          problem: `holds ${describeValue(value)}, but may only hold ${this.#explain(key, durable)}`,
        });
      }
    }
    if (atomicBatches) violations.push(...this.#checkBatches(found, durable));
    return violations;
  }

  /** A batch whose outcome is uncertain must show on all its keys or on none. */
  #checkBatches(found: ReadonlyMap<string, Value>, durable: boolean): Violation[] {
    const violations: Violation[] = [];
    for (const [batchId, records] of this.#batches) {
      const withBatch: string[] = [];
      const withoutBatch: string[] = [];
      for (const record of records) {
        const candidates = this.candidates(record.key, durable);
        const own = candidates.findIndex((candidate) => candidate.record === record);
        if (own <= 0) continue; // the batch is at or below the floor of this key: certain.
        const value = found.get(record.key);
        const matching = candidates.flatMap((candidate, index) => (sameValue(candidate.value, value) ? [index] : []));
        if (matching.length !== 1) continue; // ambiguous (two deletes, say): proves nothing.
        if (matching[0]! < own) withoutBatch.push(record.key);
        else if (matching[0] === own) withBatch.push(record.key);
      }
      if (withBatch.length > 0 && withoutBatch.length > 0) {
        violations.push({
          key: withBatch[0]!,
          problem: `batch #${batchId} survived only in part: applied to ${JSON.stringify(withBatch)}, not to ${JSON.stringify(withoutBatch)}`,
        });
      }
    }
    return violations;
  }

  #explain(key: string, durable: boolean): string {
    const candidates = this.candidates(key, durable);
    const [floor, ...later] = candidates;
    const floorText =
      floor?.record === undefined
        ? 'absent (no write of it had to survive)'
        : `${describeValue(floor.value)} (the last write that had to survive)`;
    const laterText = later.map((candidate) => `${describeValue(candidate.value)} [${candidate.record?.state}]`);
    return laterText.length === 0 ? floorText : `${floorText} or a later write: ${laterText.join(', ')}`;
  }
}
