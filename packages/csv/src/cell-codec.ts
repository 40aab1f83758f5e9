/**
 * How keys and values become CSV cells and back, exactly. Two rules, both chosen so a
 * spreadsheet shows something sensible and a person can type a plain value:
 *
 * - A cell that starts with `'` holds literal text: the one `'` is dropped on read. Text
 *   that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or
 *   carriage return), text that itself starts with `'`, and text that starts with the
 *   bytes marker are written with that `'` in front. Nothing else is touched.
 * - A value cell that starts with `base64:` (and no `'`) holds bytes in standard base64.
 *
 * Any other cell is taken as the string it shows, so `hello` typed by a person reads back
 * as the string `hello`, and `-1` typed without the `'` reads back as `-1` too.
 */
import type { EncodedValue } from '@stowage/core';

/** The marker of a value cell that holds bytes. */
export const bytesMarker = 'base64:';

const literalMark = "'";
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when a spreadsheet could run `text` as a formula, or read it as something else. */
function needsLiteralMark(text: string): boolean {
  if (text.length === 0) return false;
  switch (text.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
    case 0x27: // ' itself, so a leading ' the user wrote survives the round trip
      return true;
    default:
      return text.startsWith(bytesMarker);
  }
}

/** The cell text for a string key or string value. */
export function encodeTextCell(text: string): string {
  return needsLiteralMark(text) ? literalMark + text : text;
}

/** The key a key cell holds. */
export function decodeKeyCell(cell: string): string {
  return cell.startsWith(literalMark) ? cell.slice(1) : cell;
}

/** The cell text for an encoded value. */
export function encodeValueCell(value: EncodedValue): string {
  if (typeof value === 'string') return encodeTextCell(value);
  return bytesMarker + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/** The value a value cell holds, or an Error saying why the cell is not a value. */
export function decodeValueCell(cell: string): EncodedValue | Error {
  if (cell.startsWith(literalMark)) return cell.slice(1);
  if (!cell.startsWith(bytesMarker)) return cell;
  const payload = cell.slice(bytesMarker.length);
  if (!base64Pattern.test(payload)) {
    return new Error(`a value starting with "${bytesMarker}" must be base64 (write '${bytesMarker}... for text)`);
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}
