/**
 * The append-only journal file next to the CSV. Acknowledged writes live here until the
 * next compaction folds them into the CSV; opening replays it and cuts off a torn tail.
 */
import { dirname } from 'node:path';
import type { BatchOperation } from '@stowage/core';
import { StowageError } from '@stowage/core';
import type { FileHandle, FileSystem } from '@stowage/fs';
import { fileError } from '@stowage/fs';
import { decodeJournal, JournalDamage } from './journal-codec.js';

export class Journal {
  #size: number;
  /** The file may hold bytes of a failed write past `#size`, to be cut before anything else is appended. */
  #tailToCut = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    size: number,
    private readonly origin: string,
  ) {
    this.#size = size;
  }

  /** Opens (or creates) the journal at `path` and returns it with the batches it holds, oldest first. */
  static async open(
    fs: FileSystem,
    path: string,
    origin: string,
  ): Promise<{ journal: Journal; batches: BatchOperation[][] }> {
    const created = fs.stat(path) === undefined;
    const handle = fs.open(path, 'create');
    try {
      // A new file's name is durable only once its folder is fsynced; lines synced into a
      // file whose name a power cut then loses would be lost with it.
      if (created) await fs.syncDirectory(dirname(path));
      const data = readAll(handle);
      let content: ReturnType<typeof decodeJournal>;
      try {
        content = decodeJournal(data);
      } catch (error) {
        if (!(error instanceof JournalDamage)) throw error;
        throw new StowageError(
          'CORRUPTION',
          `${path} has a damaged line at byte ${error.offset} with intact lines after it; ` +
            'move the file aside to open the CSV without those writes',
          { origin, file: path, offset: error.offset },
        );
      }
      if (content.validLength < data.length) {
        // The tail a crash tore was never acknowledged: cut it so new lines follow intact ones.
        handle.truncate(content.validLength);
        await handle.sync();
      }
      return { journal: new Journal(path, handle, content.validLength, origin), batches: content.batches };
    } catch (error) {
      handle.close();
      throw fileError(error, { origin, file: path, action: 'read' });
    }
  }

  /** Bytes in the journal. */
  get size(): number {
    return this.#size;
  }

  /** Appends `data` (whole lines); on failure cuts the file back so no partial line stays. */
  append(data: Uint8Array): void {
    this.#cutTail();
    try {
      this.handle.append(data);
      this.#size += data.length;
    } catch (error) {
      this.#tailToCut = true;
      this.#tryCutTail();
      throw fileError(error, { origin: this.origin, file: this.path, action: 'append to' });
    }
  }

  /** Makes the appended lines durable. */
  async sync(): Promise<void> {
    try {
      await this.handle.sync();
    } catch (error) {
      throw fileError(error, { origin: this.origin, file: this.path, action: 'fsync' });
    }
  }

  /**
   * Forgets lines appended since `size` (their fsync failed, so they were never
   * acknowledged). If the file cannot be cut now, the next append cuts it first; if the
   * cut is not fsynced now, the next successful fsync makes it durable with the next lines.
   */
  async rollBack(size: number): Promise<void> {
    this.#size = size;
    this.#tailToCut = true;
    this.#cutTail();
    await this.sync();
  }

  /** Empties the journal once the CSV holds all of it. Durable before it returns. */
  async reset(): Promise<void> {
    // On failure the lines stay, all intact and all in the CSV already: replaying them is harmless.
    try {
      this.handle.truncate(0);
      this.#size = 0;
      this.#tailToCut = false;
      await this.handle.sync();
    } catch (error) {
      throw fileError(error, { origin: this.origin, file: this.path, action: 'reset' });
    }
  }

  close(): void {
    this.handle.close();
  }

  /** Cuts bytes of a failed write, or throws IO: no line may follow them, and none may resurface. */
  #cutTail(): void {
    if (!this.#tailToCut) return;
    try {
      this.handle.truncate(this.#size);
      this.#tailToCut = false;
    } catch (error) {
      throw fileError(error, { origin: this.origin, file: this.path, action: 'cut a failed write from' });
    }
  }

  #tryCutTail(): void {
    try {
      this.#cutTail();
    } catch {
      // The append error is what the caller hears; the next append tries the cut again.
    }
  }
}

function readAll(handle: FileHandle): Uint8Array {
  const size = handle.size();
  const data = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const read = handle.read(data, done, size - done, done);
    if (read === 0) break;
    done += read;
  }
  return data.subarray(0, done);
}
