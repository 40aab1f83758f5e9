/**
 * An example third-party backend that passes the whole kit: every entry in one JSON file,
 * rewritten atomically (temp file, fsync, rename, fsync of the directory) before a write
 * resolves. Writes that arrive while a save runs share the next save. Built directly on
 * node:fs and AbstractBackend, as a backend outside this repository would be.
 * Fit for small stores: every save rewrites the whole file.
 */
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AbstractBackend,
  type BatchOperation,
  compareKeys,
  type EncodedValue,
  inRange,
  type RangeOptions,
  StowageError,
} from '@stowage/core';

const origin = '@stowage/conformance/examples/json-file';
const format = 'stowage-json-file';

export interface JsonFileBackendOptions {
  /** The JSON file; created on the first write. */
  readonly file: string;
}

type Entries = Map<string, EncodedValue>;

/** A write waiting for the next save: it changes the entries, then resolves once they are on disk. */
interface Pending {
  readonly change: (entries: Entries) => unknown;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class JsonFileBackend extends AbstractBackend {
  readonly name = 'json-file';
  readonly file: string;
  /** What the file holds: only saved writes are visible, so a failed save changes nothing. */
  #entries: Entries = new Map();
  #queue: Pending[] = [];
  #saving: Promise<void> | undefined;
  #temps = 0;

  constructor(options: JsonFileBackendOptions) {
    super(origin, { persistent: true, orderedIteration: true, atomicBatch: true, durability: ['always'] });
    this.file = options.file;
  }

  protected async _open(): Promise<void> {
    await this.removeTempFiles();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.#entries = parse(text, this.file);
  }

  protected async _close(): Promise<void> {
    await this.#saving;
  }

  protected async _get(key: string): Promise<EncodedValue | undefined> {
    return copy(this.#entries.get(key));
  }

  protected async _set(key: string, value: EncodedValue): Promise<void> {
    const saved = copy(value);
    await this.save((entries) => entries.set(key, saved));
  }

  protected async _delete(key: string): Promise<boolean> {
    return (await this.save((entries) => entries.delete(key))) as boolean;
  }

  /** One save for the whole batch: the rename makes it all or nothing, also across a crash. */
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    const copies = operations.map((operation) => (operation.type === 'set' ? copy(operation.value) : undefined));
    await this.save((entries) => {
      operations.forEach((operation, index) => {
        if (operation.type === 'set') entries.set(operation.key, copies[index]!);
        else entries.delete(operation.key);
      });
    });
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    // A sorted snapshot of the keys; values are read when reached, so deleted keys are skipped.
    const keys = [...this.#entries.keys()].filter((key) => inRange(key, range)).sort(compareKeys);
    if (range.reverse) keys.reverse();
    for (const key of keys) {
      const value = this.#entries.get(key);
      if (value !== undefined) yield [key, copy(value)];
    }
  }

  // ---- below: saving ----

  /** Queues `change` for the next save and resolves with its result once that save is durable. */
  private save(change: (entries: Entries) => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      this.#saving ??= this.drain().finally(() => {
        this.#saving = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      const next = new Map(this.#entries);
      const results = batch.map((pending) => pending.change(next));
      try {
        await this.writeAtomically(serialize(next));
        this.#entries = next;
        for (const [index, pending] of batch.entries()) pending.resolve(results[index]);
      } catch (error) {
        const failure = new StowageError('IO', `saving ${this.file} failed`, { origin, file: this.file, cause: error });
        for (const pending of batch) pending.reject(failure);
      }
    }
  }

  private async writeAtomically(text: string): Promise<void> {
    const temp = `${this.file}.tmp-${process.pid}-${++this.#temps}`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // The rename is durable only once the directory entry is.
    const directory = await open(dirname(this.file), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  /** Temp files left by a crash mid-save hold nothing acknowledged. */
  private async removeTempFiles(): Promise<void> {
    const prefix = `${basename(this.file)}.tmp-`;
    const names = await readdir(dirname(this.file)).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith(prefix)) await unlink(join(dirname(this.file), name));
  }
}

/** `{ format, version, entries: [[key, "s", text] | [key, "b", base64]] }`: pairs, so no key is special. */
function serialize(entries: Entries): string {
  const rows = [...entries].map(([key, value]) =>
    typeof value === 'string' ? [key, 's', value] : [key, 'b', Buffer.from(value).toString('base64')],
  );
  return JSON.stringify({ format, version: 1, entries: rows });
}

function parse(text: string, file: string): Entries {
  const corrupt = (why: string) => new StowageError('CORRUPTION', `${file} ${why}`, { origin, file });
  let document: { format?: unknown; version?: unknown; entries?: unknown };
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StowageError('CORRUPTION', `${file} is not valid JSON`, { origin, file, cause: error });
  }
  if (document?.format !== format || document.version !== 1 || !Array.isArray(document.entries)) {
    throw corrupt(`is not a ${format} file of version 1`);
  }
  const entries: Entries = new Map();
  for (const row of document.entries as unknown[]) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[2] !== 'string') throw corrupt('has a bad row');
    if (row[1] === 's') entries.set(row[0], row[2]);
    else if (row[1] === 'b') entries.set(row[0], new Uint8Array(Buffer.from(row[2], 'base64')));
    else throw corrupt(`has a row of unknown type ${JSON.stringify(row[1])}`);
  }
  return entries;
}

function copy<T extends EncodedValue | undefined>(value: T): T {
  return (value instanceof Uint8Array ? new Uint8Array(value) : value) as T;
}
