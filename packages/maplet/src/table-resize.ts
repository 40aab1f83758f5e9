/**
 * Doubling a table without the original keys: the top bit of every remainder moves into
 * the quotient (home slot x becomes 2x or 2x+1), so the fingerprint — quotient and
 * remainder together — keeps its length and every key still finds its entry. Entries are
 * read in quotient-then-remainder order, which is also the order of the new quotients, so
 * the new table is written front to back in one pass.
 */
import { setBit } from './bits.js';
import { QuotientTable } from './quotient-table.js';

/** Writes entries into an empty table in ascending quotient order. */
export class TableBuilder {
  readonly table: QuotientTable;
  #last = -1;
  #quotient = -1;

  constructor(table: QuotientTable) {
    this.table = table;
  }

  /** Appends one entry; quotients must not decrease, remainders not within a quotient. */
  append(quotient: number, remainder: number, value: number): void {
    const table = this.table;
    const position = Math.max(quotient, this.#last + 1);
    if (position >= table.totalSlots) throw new Error('maplet table builder overflow');
    if (quotient !== this.#quotient) {
      if (this.#last >= 0) setBit(table.runends, this.#last);
      setBit(table.occupieds, quotient);
      this.#quotient = quotient;
    }
    table.remainders.set(position, remainder);
    table.values.set(position, value);
    table.used++;
    this.#last = position;
  }

  /** Ends the last run and computes every block's offset. */
  finish(): QuotientTable {
    const table = this.table;
    if (this.#last >= 0) setBit(table.runends, this.#last);
    for (let block = 1; block < table.offsets.length; block++) {
      const end = table.runendUpTo(block * 64 - 1);
      table.offsets[block] = Math.min(255, Math.max(0, end - block * 64 + 1));
    }
    return table;
  }
}

/** The table with twice the home slots and one remainder bit fewer, holding the same entries. */
export function doubleTable(table: QuotientTable): QuotientTable {
  const r = table.remainderBits;
  const builder = new TableBuilder(new QuotientTable(table.quotientBits + 1, r - 1, table.valueBits));
  const low = r - 1;
  const mask = low === 0 ? 0 : 2 ** low - 1;
  // Entries of one old run split into 2x (top bit 0) then 2x+1 (top bit 1): still ascending.
  table.forEachSlot((quotient, position) => {
    const remainder = table.remainders.get(position);
    const top = low === 0 ? remainder : Math.floor(remainder / 2 ** low);
    builder.append(quotient * 2 + top, (remainder & mask) >>> 0, table.values.get(position));
  });
  return builder.finish();
}
