/** A growable byte array: the content of one simulated file, in one layer. */
export class ByteBuffer {
  #bytes: Uint8Array;
  #size: number;

  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.#bytes = new Uint8Array(Math.max(64, initial.byteLength));
    this.#bytes.set(initial);
    this.#size = initial.byteLength;
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of the content. */
  bytes(): Uint8Array {
    return this.#bytes.slice(0, this.#size);
  }

  clone(): ByteBuffer {
    return new ByteBuffer(this.#bytes.subarray(0, this.#size));
  }

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    const count = Math.max(0, Math.min(length, this.#size - position));
    // Stryker disable next-line ConditionalExpression,EqualityOperator: setting an empty subarray is a no-op
    if (count > 0) target.set(this.#bytes.subarray(position, position + count), offset);
    return count;
  }

  /** Writes at `position`; a gap before it reads as zeros, as a sparse file does. */
  write(data: Uint8Array, position: number): void {
    this.#reserve(position + data.byteLength);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: fill(0, size, position) with position <= size fills nothing
    if (position > this.#size) this.#bytes.fill(0, this.#size, position);
    this.#bytes.set(data, position);
    this.#size = Math.max(this.#size, position + data.byteLength);
  }

  truncate(size: number): void {
    this.#reserve(size);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: fill(0, this.#size, size) with size <= this.#size fills nothing
    if (size > this.#size) this.#bytes.fill(0, this.#size, size);
    this.#size = size;
  }

  #reserve(size: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: growing when not needed copies the same content into a bigger array
    if (size <= this.#bytes.byteLength) return;
    // Stryker disable next-line ArithmeticOperator: the doubling only sets how often the array grows; it is never smaller than size
    const grown = new Uint8Array(Math.max(size, this.#bytes.byteLength * 2));
    grown.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = grown;
  }
}
