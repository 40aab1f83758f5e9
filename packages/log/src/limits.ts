/**
 * The size limits of the log format. The same constants bound writes (through
 * `supports`, so AbstractBackend refuses oversize input before anything is written) and
 * reads (a record header claiming more is damage), so a store never holds a record it
 * cannot read back.
 */

/** Largest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 65_536;

/** Largest value, in bytes (UTF-8 bytes for a string). */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** Default size at which the active data file is closed and a new one started. */
export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

/** Largest allowed `maxFileSize`: record offsets are stored as u32, and one record may overshoot the limit. */
export const MAX_FILE_SIZE_LIMIT = 1024 * 1024 * 1024;
