/**
 * A broken file backend for the crash self-test: it acknowledges writes at once and saves
 * the file later, in place (truncate and write, no temp file, no fsync). A kill loses
 * acknowledged writes and can leave a torn file; the crash case must notice.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedValue } from '@stowage/core';
import { PlainBackend } from './broken-backends.fixture.js';

export class EagerJsonBackend extends PlainBackend {
  override readonly name = 'eager-json';
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly file: string) {
    super({ persistent: true, orderedIteration: true, durability: ['none'] });
  }
  protected override async _open(): Promise<void> {
    if (!existsSync(this.file)) return;
    const rows = JSON.parse(readFileSync(this.file, 'utf8')) as [string, string, string][];
    this.data = new Map(
      rows.map(([key, type, value]): [string, EncodedValue] => [
        key,
        type === 's' ? value : new Uint8Array(Buffer.from(value, 'base64')),
      ]),
    );
    this.#timer = setInterval(() => this.save(), 40);
  }
  protected override async _close(): Promise<void> {
    clearInterval(this.#timer);
    this.save();
  }
  private save(): void {
    const rows = [...this.data].map(([key, value]) =>
      typeof value === 'string' ? [key, 's', value] : [key, 'b', Buffer.from(value).toString('base64')],
    );
    writeFileSync(this.file, JSON.stringify(rows));
  }
}

/** The crash module: what the kit's child process loads. */
export function createBackend(directory: string): EagerJsonBackend {
  return new EagerJsonBackend(join(directory, 'store.json'));
}
