export { TEMP_SUFFIX, tempPathFor, writeFileAtomic } from './atomic-write.js';
export { crc32c } from './crc32c.js';
export { errorCode, type FileErrorOptions, fileError, hasErrorCode } from './errors.js';
export type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js';
export { acquireLock, type FileLock, type LockHolder, type LockOptions, readLockHolder } from './lock.js';
export { nodeFileSystem } from './node-file-system.js';
export { processExists } from './process-liveness.js';
export {
  holdTempFile,
  parseTempName,
  type SweepOptions,
  sweepTempFiles,
  type TempFileName,
} from './temp-files.js';
