/**
 * The floor for the log engine: the least an append-only log can do. Records are
 * [key length u32][value length u32][key][value], appended with appendFileSync; a Map holds
 * each key's value position; a get is one readSync. No CRC, no fsync, no recovery, no lock.
 */
import { appendFileSync, closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** Position and length packed in one number (offset × 2^20 + length), so the Map holds plain numbers. */
const lengthSpan = 2 ** 20;

export class MinimalLog {
  readonly #fd: number;
  readonly #positions = new Map<string, number>();
  #size = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'a+');
    const data = readFileSync(path);
    while (this.#size + 8 <= data.length) {
      const keyLength = data.readUInt32LE(this.#size);
      const valueLength = data.readUInt32LE(this.#size + 4);
      const valueAt = this.#size + 8 + keyLength;
      if (valueAt + valueLength > data.length) break; // a torn tail: ignored, as the floor can afford
      this.#positions.set(data.toString('utf8', this.#size + 8, valueAt), valueAt * lengthSpan + valueLength);
      this.#size = valueAt + valueLength;
    }
    // Appends land at the real end of the file, past any torn bytes.
    this.#size = data.length;
  }

  set(key: string, value: string): void {
    this.append([[key, value]]);
  }

  /** Appends many records in one write. */
  append(records: readonly (readonly [string, string])[]): void {
    const parts: Buffer[] = [];
    for (const [key, value] of records) {
      const keyBytes = Buffer.from(key, 'utf8');
      const valueBytes = Buffer.from(value, 'utf8');
      const header = Buffer.allocUnsafe(8);
      header.writeUInt32LE(keyBytes.length, 0);
      header.writeUInt32LE(valueBytes.length, 4);
      parts.push(header, keyBytes, valueBytes);
      const valueAt = this.#size + 8 + keyBytes.length;
      this.#positions.set(key, valueAt * lengthSpan + valueBytes.length);
      this.#size = valueAt + valueBytes.length;
    }
    appendFileSync(this.#fd, Buffer.concat(parts));
  }

  get(key: string): string | undefined {
    const position = this.#positions.get(key);
    if (position === undefined) return undefined;
    const length = position % lengthSpan;
    const buffer = Buffer.allocUnsafe(length);
    readSync(this.#fd, buffer, 0, length, (position - length) / lengthSpan);
    return buffer.toString('utf8');
  }

  keys(): IterableIterator<string> {
    return this.#positions.keys();
  }

  close(): void {
    closeSync(this.#fd);
  }
}
