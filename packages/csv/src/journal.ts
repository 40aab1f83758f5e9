/**
 * The append-only journal file next to the CSV. Acknowledged writes live here until the
 * next compaction folds them into the CSV; opening replays it. Only a torn last record
 * (all a crash can leave) is cut silently; other damage is CORRUPTION or, by option, cut
 * with a warning and its bytes saved aside. A file without the journal's header is refused.
 */
import type { BatchOperation } from '@stowage/core';
import {
  closeQuietly,
  createFileDurable,
  type FileHandle,
  type FileSystem,
  readWholeFile,
  writeFileAtomic,
} from '@stowage/fs';
import { corruption, csvFileError, notSupported } from './errors.js';
import { JOURNAL_MAGIC, JOURNAL_VERSION, journalHeader, scanRecords } from './journal-format.js';
import { decodeLegacyJournal, looksLikeLegacyJournal } from './legacy-journal.js';
import type { CsvRecoveryAction, CsvWarning } from './options.js';

export interface JournalOpenOptions {
  /** Damage a crash cannot explain: fail the open, or cut it with a warning. */
  readonly onDamage: 'fail' | 'truncate';
}

export interface OpenedJournal {
  readonly journal: Journal;
  /** The batches it holds, oldest first. */
  readonly batches: BatchOperation[][];
  /** True for a journal of the old format (no header): fold it into the CSV at once, which rewrites it. */
  readonly legacy: boolean;
  readonly recovery: CsvRecoveryAction[];
  readonly warnings: CsvWarning[];
}

export class Journal {
  #size: number;
  /** Bytes of the header line (0 for a legacy journal until its first reset). */
  #headerLength: number;
  /** The file may hold bytes of a failed write past `#size`, to be cut before anything else is appended. */
  #tailToCut = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    size: number,
    headerLength: number,
  ) {
    this.#size = size;
    this.#headerLength = headerLength;
  }

  /** Opens (or creates) the journal at `path` and returns it with what it holds. */
  static async open(fs: FileSystem, path: string, options: JournalOpenOptions): Promise<OpenedJournal> {
    let handle: FileHandle;
    try {
      // A new journal's name and header are durable before any record goes in: records
      // synced into a file whose name a power cut then loses would be lost with it.
      handle = fs.stat(path) === undefined ? await createFileDurable(fs, path, journalHeader) : fs.open(path, 'create');
    } catch (error) {
      throw csvFileError(error, path, 'create');
    }
    const recovery: CsvRecoveryAction[] = [];
    const warnings: CsvWarning[] = [];
    try {
      const data = readWholeFile(handle);
      if (isTornHeader(data)) {
        // Empty, or the header's own append was torn by a crash: nothing was ever acknowledged here.
        handle.truncate(0);
        handle.append(journalHeader);
        await handle.sync();
        if (data.length > 0) {
          recovery.push({ action: 'rewrote-header', file: path, offset: 0, detail: 'the header was torn by a crash' });
        }
        return {
          journal: new Journal(path, handle, journalHeader.length, journalHeader.length),
          batches: [],
          legacy: false,
          recovery,
          warnings,
        };
      }
      if (startsWith(data, journalHeader)) {
        const scanned = scanRecords(data, journalHeader.length);
        let size = data.length;
        const tail = scanned.tail;
        if (tail !== undefined) {
          if (tail.kind === 'damaged') {
            if (options.onDamage === 'fail') throw damageError(path, tail.offset, tail.reason, tail.intactAfter);
            const aside = `${path}.damaged-${Date.now()}`;
            await writeFileAtomic(fs, aside, data.subarray(tail.offset));
            const message =
              `${path} byte ${tail.offset}: ${tail.reason}; cut ${tail.bytes} bytes ` +
              `(${tail.intactAfter} intact records among them) and saved them to ${aside}`;
            recovery.push({
              action: 'cut-damaged-journal',
              file: path,
              offset: tail.offset,
              bytes: tail.bytes,
              detail: message,
            });
            warnings.push({ kind: 'journal-damaged', file: path, offset: tail.offset, message });
          } else {
            // Stryker disable all: the words of the recovery detail only (its action, offset and bytes are kept)
            const detail =
              tail.kind === 'torn'
                ? `a record torn by a crash (never acknowledged): ${tail.reason}`
                : `${tail.reason}; a crash leaves this, but so do zeroed acknowledged records`;
            // Stryker restore all
            recovery.push({ action: 'truncated-tail', file: path, offset: tail.offset, bytes: tail.bytes, detail });
            if (tail.kind === 'zeroed') {
              warnings.push({
                kind: 'journal-tail-zeroed',
                file: path,
                offset: tail.offset,
                message: `${path} byte ${tail.offset}: ${detail}`,
              });
            }
          }
          // New records must follow intact ones.
          handle.truncate(scanned.validLength);
          await handle.sync();
          size = scanned.validLength;
        }
        return {
          journal: new Journal(path, handle, size, journalHeader.length),
          batches: scanned.batches,
          legacy: false,
          recovery,
          warnings,
        };
      }
      if (startsWith(data, new TextEncoder().encode(JOURNAL_MAGIC))) {
        const line = new TextDecoder().decode(data.subarray(0, Math.max(0, data.indexOf(0x0a)))).slice(0, 40);
        throw notSupported(
          `${path} is a journal of another format ("${line}"; this version reads format ${JOURNAL_VERSION} and the format without a header); ` +
            'open it with the version of @stowage/csv that wrote it',
          path,
        );
      }
      if (looksLikeLegacyJournal(data)) {
        const legacy = decodeLegacyJournal(data);
        if (legacy.damageAt !== undefined) {
          throw damageError(path, legacy.damageAt, 'damaged line (journal format 1)', 1);
        }
        recovery.push({
          action: 'converted-journal',
          file: path,
          detail: `replayed ${legacy.batches.length} batches of a journal without a header (format 1)`,
        });
        // Left as it is until the CSV holds it; the compaction that follows at open rewrites it in format 2.
        return {
          journal: new Journal(path, handle, legacy.validLength, 0),
          batches: legacy.batches,
          legacy: true,
          recovery,
          warnings,
        };
      }
      throw corruption(
        `${path} is not a journal of @stowage/csv (it does not start with "${JOURNAL_MAGIC}${JOURNAL_VERSION}"); ` +
          'it was left untouched: move it aside to open the CSV',
        path,
        0,
      );
    } catch (error) {
      closeQuietly(handle);
      throw csvFileError(error, path, 'read');
    }
  }

  /** True when the journal holds records (anything past its header). */
  get hasRecords(): boolean {
    return this.#size > this.#headerLength;
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
      throw csvFileError(error, this.path, 'append to');
    }
  }

  /** Makes the appended lines durable; `inThread` fsyncs in the calling thread (a lone write, see GroupCommitQueue). */
  // Stryker disable next-line BooleanLiteral: where the fsync runs is not observable (the simulated disk makes both durable alike)
  async sync(inThread = false): Promise<void> {
    try {
      await this.handle.sync(inThread ? { inThread } : undefined);
    } catch (error) {
      throw csvFileError(error, this.path, 'fsync');
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

  /** Empties the journal (down to its header) once the CSV holds all of it. Durable before it returns. */
  async reset(): Promise<void> {
    // On failure the records stay, all intact and all in the CSV already: replaying them is harmless.
    try {
      if (this.#headerLength === journalHeader.length) {
        this.handle.truncate(this.#headerLength);
      } else {
        // A legacy journal gets the header now; a crash between these two leaves an empty
        // or torn-header file, which open takes for a fresh journal (the CSV holds everything).
        this.handle.truncate(0);
        this.handle.append(journalHeader);
        this.#headerLength = journalHeader.length;
      }
      this.#size = this.#headerLength;
      this.#tailToCut = false;
      await this.handle.sync();
    } catch (error) {
      throw csvFileError(error, this.path, 'reset');
    }
  }

  close(): void {
    this.handle.close();
  }

  /** Closes after a failure, so that failure stays the error reported. */
  abandon(): void {
    closeQuietly(this.handle);
  }

  /** Cuts bytes of a failed write, or throws IO: no line may follow them, and none may resurface. */
  #cutTail(): void {
    if (!this.#tailToCut) return;
    try {
      this.handle.truncate(this.#size);
      this.#tailToCut = false;
    } catch (error) {
      throw csvFileError(error, this.path, 'cut a failed write from');
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

/** True when `data` is empty or a prefix of the header followed only by zeros: a journal whose creation a crash cut short. */
function isTornHeader(data: Uint8Array): boolean {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end >= journalHeader.length) return false;
  for (let i = 0; i < end; i++) if (data[i] !== journalHeader[i]) return false;
  // Only zeros after the fragment, and no more of them than the header itself could leave.
  return data.length <= journalHeader.length;
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

function damageError(path: string, offset: number, reason: string, intactAfter: number) {
  return corruption(
    `${path} byte ${offset}: ${reason}, with ${intactAfter} intact record(s) after it — a crash cannot leave this, ` +
      'so acknowledged writes are damaged. Open with onJournalDamage: "truncate" to keep the writes before it ' +
      '(the cut bytes are saved next to the journal), or restore the file',
    path,
    offset,
  );
}
