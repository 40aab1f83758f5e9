import type { BatchOperation } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { decodeJournal, encodeJournalLine, JournalDamage } from './journal-codec.js';

const batches: BatchOperation[][] = [
  [{ type: 'set', key: 'a', value: '{"json":"text"}' }],
  [
    { type: 'set', key: 'line\nbreak', value: new Uint8Array([0, 10, 13, 255]) },
    { type: 'delete', key: 'a' },
    { type: 'set', key: '=formula', value: "'quoted" },
  ],
  [{ type: 'delete', key: '\u0000' }],
];

function journalOf(lines: readonly BatchOperation[][]): Uint8Array {
  return Buffer.concat(lines.map((batch) => encodeJournalLine(batch)));
}

describe('journal lines', () => {
  it('read back every batch exactly, one line per batch', () => {
    const data = journalOf(batches);
    expect(data.filter((byte) => byte === 0x0a).length).toBe(batches.length);
    expect(decodeJournal(data)).toEqual({ batches, validLength: data.length });
  });

  it('drop a torn last line at every cut point and keep the lines before it', () => {
    const whole = journalOf(batches);
    const lastStart = whole.length - encodeJournalLine(batches[2]!).length;
    for (let cut = lastStart; cut < whole.length; cut++) {
      const content = decodeJournal(whole.subarray(0, cut));
      expect(content.batches).toEqual(batches.slice(0, 2));
      expect(content.validLength).toBe(lastStart);
    }
  });

  it('drop a last line whose bytes were changed', () => {
    const data = journalOf(batches);
    data[data.length - 3] = data[data.length - 3]! ^ 0x01;
    expect(decodeJournal(data).batches).toEqual(batches.slice(0, 2));
  });

  it('drop a tail of zeros a crash left behind', () => {
    const data = Buffer.concat([journalOf(batches), new Uint8Array(100)]);
    expect(decodeJournal(data).batches).toEqual(batches);
  });

  it('report a damaged line with intact lines after it instead of dropping them', () => {
    const data = journalOf(batches);
    data[12] = data[12]! ^ 0x20;
    expect(() => decodeJournal(data)).toThrow(JournalDamage);
    try {
      decodeJournal(data);
    } catch (error) {
      expect((error as JournalDamage).offset).toBe(0);
    }
  });

  it('read an empty journal as no batches', () => {
    expect(decodeJournal(new Uint8Array(0))).toEqual({ batches: [], validLength: 0 });
  });
});
