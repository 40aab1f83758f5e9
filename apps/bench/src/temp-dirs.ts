/** Every store of a run lives under one temporary directory, removed at the end (also on Ctrl-C or SIGTERM). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempDirs {
  readonly root: string;
  #count = 0;
  readonly #onSignal = () => {
    this.remove();
    process.exit(130);
  };

  constructor(parent: string = tmpdir()) {
    mkdirSync(parent, { recursive: true });
    this.root = mkdtempSync(join(parent, 'stowage-bench-'));
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
  }

  /** A new empty directory for one store. */
  fresh(name: string): string {
    const dir = join(this.root, `${String(++this.#count).padStart(3, '0')}-${name}`);
    mkdirSync(dir);
    return dir;
  }

  /** Removes one store's directory as soon as it is done with, so disk use stays small. */
  discard(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  remove(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    rmSync(this.root, { recursive: true, force: true });
  }
}
