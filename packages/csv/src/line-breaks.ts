/**
 * Hand-edited CSVs mix line endings: `echo "c,3" >> data.csv` appends an LF row to a file
 * whose other rows end in CRLF, and some tools still write a bare CR. papaparse takes one
 * line break for the whole file, so the odd rows would keep a stray `\r` or `\n` in their
 * last cell. Row ends (line breaks outside quoted cells) are therefore turned into `\n`
 * before parsing; line breaks inside quoted cells are data and stay as they are.
 */

/** `text` with every row end as `\n`, and where characters were removed (to map positions back). */
export interface NormalisedText {
  readonly text: string;
  /** Positions in the normalised text before which one character (a CR of a CRLF) was removed; ascending. */
  readonly removedBefore: readonly number[];
}

export function normaliseRowEnds(text: string): NormalisedText {
  // Fast path: nothing but one kind of row end and no quotes to reason about.
  // Stryker disable next-line ConditionalExpression,StringLiteral,ArrayDeclaration: without the fast path the loop below finds no CR and returns the text as it is, nothing removed (and a non-number in removedBefore compares false in PositionMap)
  if (!text.includes('\r')) return { text, removedBefore: [] };
  const parts: string[] = [];
  const removedBefore: number[] = [];
  let copiedUpTo = 0;
  let length = 0;
  let quoted = false;
  let fieldStart = true;
  // Stryker disable next-line EqualityOperator: one more pass reads NaN at text.length, which matches nothing
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quoted) {
      if (code === 0x22) {
        if (text.charCodeAt(i + 1) === 0x22) i++;
        else quoted = false;
      }
      continue;
    }
    if (code === 0x22 && fieldStart) {
      quoted = true;
      // Stryker disable next-line BooleanLiteral: the quoted cell is skipped up to its closing quote, and the character after that sets fieldStart again
      fieldStart = false;
      continue;
    }
    if (code === 0x0d) {
      const crlf = text.charCodeAt(i + 1) === 0x0a;
      parts.push(text.slice(copiedUpTo, i), '\n');
      length += i - copiedUpTo + 1;
      if (crlf) {
        removedBefore.push(length);
        i++;
      }
      copiedUpTo = i + 1;
      fieldStart = true;
      continue;
    }
    fieldStart = code === 0x2c || code === 0x0a;
  }
  if (copiedUpTo === 0) return { text, removedBefore };
  parts.push(text.slice(copiedUpTo));
  return { text: parts.join(''), removedBefore };
}

/** Maps a position in the normalised text back to the original text, moving forward only. */
export class PositionMap {
  #index = 0;
  constructor(private readonly removedBefore: readonly number[]) {}

  original(position: number): number {
    while (this.#index < this.removedBefore.length && this.removedBefore[this.#index]! <= position) this.#index++;
    return position + this.#index;
  }
}
