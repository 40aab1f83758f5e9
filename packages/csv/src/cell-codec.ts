/**
 * How keys and values become CSV cells and back, exactly. Two rules, both chosen so a
 * spreadsheet shows something sensible and a person can type a plain value:
 *
 * - A cell that starts with `'` holds literal text: the one `'` is dropped on read. Text
 *   that a spreadsheet could run as a formula is written with that `'` in front (see
 *   `needsLiteralMark`), and so is text that itself starts with `'` or with the bytes
 *   marker. Nothing else is touched.
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

/**
 * Characters a spreadsheet may skip or not show before the text it evaluates: white space
 * of every kind (space, tab, line breaks, no-break and ideographic spaces), control and
 * format characters (NUL, byte order mark, zero-width space and joiners, bidi marks, soft
 * hyphen, word joiner), and the other default-ignorable code points (fillers, variation
 * selectors). A trigger behind any run of them is still a trigger.
 */
const invisibleCharacter = /^[\s\p{Cc}\p{Cf}\p{Z}\u115f\u1160\u17b4\u17b5\u3164\uffa0]$/u;
/** Combining grapheme joiner, Mongolian and standard variation selectors: ignorable, kept out of the class above. */
function isIgnorableMark(code: number): boolean {
  return code === 0x034f || (code >= 0x180b && code <= 0x180f) || (code >= 0xfe00 && code <= 0xfe0f);
}

/** Characters that start a formula (OWASP CSV injection), after NFKC folds ＝＋－＠ and ﹦﹢﹣﹫ to them. */
const triggers = new Set(['=', '+', '-', '@', '\u2212']);

/** Characters OWASP and ASVS list as triggers on their own, whatever follows. */
const triggerControls = new Set(['\t', '\r', '\n', '\u0000']);

/**
 * True when a spreadsheet could run `text` as a formula, or it would read back as
 * something else: its first character is a trigger control (tab, CR, LF, NUL), or the
 * first character after any leading white space and invisible characters is a formula
 * trigger in any width (`=`, `+`, `-`, `@`, `＝`, `＋`, `－`, `＠`, ...), or it starts
 * with `'` or the bytes marker.
 */
export function needsLiteralMark(text: string): boolean {
  if (text.length === 0) return false;
  const first = text[0]!;
  if (first === literalMark || triggerControls.has(first) || text.startsWith(bytesMarker)) return true;
  return startsWithTrigger(text);
}

/** True when `text`, after leading white space and invisible characters, starts with a formula trigger. */
export function startsWithTrigger(text: string): boolean {
  for (const character of text) {
    if (invisibleCharacter.test(character) || isIgnorableMark(character.codePointAt(0)!)) continue;
    return triggers.has(character.normalize('NFKC'));
  }
  return false;
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
