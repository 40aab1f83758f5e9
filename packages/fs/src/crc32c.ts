/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
 * LevelDB, with better error detection than the zlib CRC32 for the same cost. Slicing-by-8:
 * eight 256-entry tables let the main loop consume eight bytes per step.
 */

const POLYNOMIAL = 0x82f63b78;

/**
 * The eight tables in one Int32Array (table `s` at `s * 256`), so the running value stays a
 * 32-bit integer throughout: every checked read of the log sums a whole record, and this
 * layout makes that about a third cheaper than eight Uint32Arrays with `>>> 0` at each step.
 */
const tables = buildTables();

function buildTables(): Int32Array {
  const result = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    result[n] = crc;
  }
  // Stryker disable next-line EqualityOperator: n = 256 starts from result[256] = 0 (entry 0 of table 1) and so writes zeros where entry 0 of every table already holds zero
  for (let n = 0; n < 256; n++) {
    let crc = result[n]!;
    // Stryker disable next-line EqualityOperator: slice 8 would write past the Int32Array's end, which a typed array ignores
    for (let slice = 1; slice < 8; slice++) {
      crc = (crc >>> 8) ^ result[crc & 0xff]!;
      result[slice * 256 + n] = crc;
    }
  }
  return result;
}

/**
 * The CRC32C of `data[start, end)` (all of it by default), as an unsigned 32-bit number.
 * Pass a previous result as `initial` to continue it: `crc32c(b, crc32c(a))` equals the CRC
 * of `a` followed by `b`. A range lets a caller sum part of a buffer without a view.
 */
export function crc32c(data: Uint8Array, initial = 0, start = 0, end = data.length): number {
  if (!(start >= 0 && start <= end && end <= data.length)) {
    throw new RangeError(`crc32c: range [${start}, ${end}) is outside the ${data.length} bytes given`);
  }
  const t = tables;
  let crc = ~initial;
  let i = start;
  const end8 = end - ((end - start) & 7);
  // Stryker disable next-line ConditionalExpression: without the 8-byte steps the byte-at-a-time loop below sums the same bytes to the same CRC
  while (i < end8) {
    const low = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = (crc >>> 8) ^ t[(crc ^ data[i++]!) & 0xff]!;
  return ~crc >>> 0;
}
