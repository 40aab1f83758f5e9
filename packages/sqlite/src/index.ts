export type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './driver.js';
export type {
  SqliteBackendOptions,
  SqliteCommonOptions,
  SqliteDatabaseOptions,
  SqliteDurability,
  SqliteFileOptions,
} from './options.js';
export { SqliteBackend } from './sqlite-backend.js';
export type { VerifyOptions, VerifyProblem, VerifyReport } from './verify.js';
