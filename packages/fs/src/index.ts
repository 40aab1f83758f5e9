export { type AtomicContent, TEMP_SUFFIX, tempPathFor, writeFileAtomic } from './atomic-write.js';
export { crc32c } from './crc32c.js';
export { createFileDurable, makeDirectoryDurable, readWholeFile, truncateFileDurable } from './durable-files.js';
export { errorCode, type FileErrorOptions, fileError, hasErrorCode } from './errors.js';
export type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js';
export {
  type BatchControl,
  type CommitBatch,
  type GroupCommitOptions,
  GroupCommitQueue,
} from './group-commit-queue.js';
export { acquireLock, type FileLock, type LockHolder, type LockOptions, readLockHolder } from './lock.js';
export { type LockedStore, type LockedStoreOptions, openLockedStore } from './locked-store.js';
export { nodeFileSystem } from './node-file-system.js';
export { processExists } from './process-liveness.js';
export { closeQuietly, unlinkQuietly } from './quiet.js';
export {
  holdTempFile,
  parseTempName,
  type SweepOptions,
  sweepTempFiles,
  type TempFileName,
} from './temp-files.js';
