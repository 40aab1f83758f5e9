/**
 * Size limits. V8 caps a string at about 512 Mi UTF-16 units, and a value passes through
 * strings on its way to disk (its cell text, papaparse's quoting, the journal's JSON) and
 * back. The limits keep every such string well below the cap, so whatever `set` accepted
 * can always be written, rewritten and read back; beyond them a write is refused up front
 * with INVALID_VALUE. The CSV as a whole has no limit: it is written and read in pieces.
 */

/** Largest value, in bytes (UTF-8 for text): its JSON in the journal (at most 6 units per byte, `\u0000`) stays under the cap. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** Largest journal record payload, in bytes; one batch must fit, a group of writes is split into records of at most this. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
