/**
 * Approximate mode: the values live only in the maplet, a few bits per key. A value is a
 * small unsigned integer, stored by the backend as its decimal text (what the JSON codec
 * writes for a number); a membership maplet (valueBits 0) stores `true`. A set inserts the
 * pair (key, value) and merges it with what is there; nothing can list the keys back.
 */
import { type EncodedValue, StowageError } from '@stowage/core';
import { Maplet } from './maplet.js';
import { ORIGIN } from './maplet-config.js';
import { MapletFile, type MapletFileOptions } from './maplet-file.js';

export class ApproximateStore {
  readonly #fileOptions: MapletFileOptions | undefined;
  #file: MapletFile | undefined;
  #maplet: Maplet | undefined;

  constructor(fileOptions: MapletFileOptions | undefined, mapletOptions: MapletFileOptions['maplet']) {
    this.#fileOptions = fileOptions;
    // Options are checked at construction even when the store opens later.
    if (fileOptions === undefined) this.#maplet = new Maplet(mapletOptions);
    else new Maplet(mapletOptions);
  }

  get maplet(): Maplet {
    return this.#maplet!;
  }

  get file(): MapletFile | undefined {
    return this.#file;
  }

  async open(): Promise<void> {
    if (this.#fileOptions === undefined) return;
    this.#file = await MapletFile.open(this.#fileOptions);
    this.#maplet = this.#file.maplet;
  }

  async close(): Promise<void> {
    await this.#file?.close();
  }

  /** The merged value as the backend stores it, or undefined when certainly absent. */
  get(key: string): EncodedValue | undefined {
    const value = this.#maplet!.get(key);
    if (value === undefined) return undefined;
    return this.#maplet!.settings.valueBits === 0 ? 'true' : String(value);
  }

  /** The integer a stored value stands for; INVALID_VALUE for anything else. */
  parse(value: EncodedValue, key: string): number {
    const { valueBits, maxValue, merge } = this.#maplet!.settings;
    const invalid = (why: string): never => {
      throw new StowageError('INVALID_VALUE', `an approximate maplet ${why}`, { origin: ORIGIN, key });
    };
    // Stryker disable next-line StringLiteral: the reason only words the INVALID_VALUE message
    if (typeof value !== 'string') return invalid('stores small integers as decimal text, not bytes');
    if (valueBits === 0) {
      if (value === 'true') return 0;
      // Stryker disable next-line StringLiteral: the reason only words the INVALID_VALUE message
      return invalid('without value bits stores only the value true');
    }
    // Stryker disable next-line StringLiteral: the reason only words the INVALID_VALUE message
    if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) return invalid(`stores integers from 0 to ${maxValue} as decimal text`);
    const number = Number(value);
    // Stryker disable next-line StringLiteral: the reason only words the INVALID_VALUE message
    if (number > maxValue) invalid(`with ${valueBits} value bits stores integers up to ${maxValue}, got ${number}`);
    // Stryker disable next-line StringLiteral: the reason only words the INVALID_VALUE message
    if (merge.counting && number === 0) invalid('counting with sum stores counts of at least 1 (0 is absent)');
    return number;
  }

  insert(key: string, value: number): Promise<void> | undefined {
    if (this.#file !== undefined) return this.#file.insert(key, value);
    this.#maplet!.insert(key, value);
    return undefined;
  }

  remove(key: string, value: number): Promise<boolean> | boolean {
    return this.#file !== undefined ? this.#file.delete(key, value) : this.#maplet!.delete(key, value);
  }

  clear(): Promise<void> | undefined {
    if (this.#file !== undefined) return this.#file.clear();
    this.#maplet!.clear();
    return undefined;
  }

  flush(): Promise<void> {
    return this.#file?.flush() ?? Promise.resolve();
  }
}
