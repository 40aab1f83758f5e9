/**
 * Refusing option names nobody defined. A misspelled option (`{ tabel: 'users' }`) would
 * otherwise be ignored and the default silently used; every engine and the map check their
 * options against the names they know, and the error names the closest valid one.
 */
import { StowageError } from './errors.js';

/**
 * Throws INVALID_CONFIG unless `given` is undefined or a plain object whose own enumerable
 * names are all in `known`. An unknown name is reported with the closest known name when
 * one is close enough to be a misspelling: `unknown option "tabel"; did you mean "table"?`.
 */
export function assertKnownOptions(origin: string, given: object | undefined, known: readonly string[]): void {
  if (given === undefined) return;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new StowageError('INVALID_CONFIG', `options must be an object, got ${describe(given)}`, { origin });
  }
  for (const name of Object.keys(given)) {
    if (known.includes(name)) continue;
    const suggestion = closest(name, known);
    const hint =
      suggestion === undefined
        ? known.length === 0
          ? ' (this takes no options)'
          : ` (known options: ${known.map((option) => JSON.stringify(option)).join(', ')})`
        : `; did you mean ${JSON.stringify(suggestion)}?`;
    throw new StowageError('INVALID_CONFIG', `unknown option ${JSON.stringify(name)}${hint}`, { origin });
  }
}

/**
 * The known name nearest to `name` by edit distance (insertions, deletions, substitutions
 * and swaps of two neighbours, ignoring case), when it is close enough to be a misspelling:
 * at most 40% of the shorter name's length, and at least one edit allowed. Ties go to the
 * name listed first.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.min(name.length, candidate.length) * 0.4));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein plus a swap of two adjacent characters as one edit. */
export function editDistance(a: string, b: string): number {
  // Three rows suffice: the current one, the previous one, and the one before it (for swaps).
  // Stryker disable next-line ArrayDeclaration: the first row reads `before` only where i > 1, after it was set
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  // The loops walk fixed lists of positions rather than counting, so no slip in them can run for ever.
  for (const i of positions(a)) {
    const current = [i];
    for (const j of positions(b)) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      // At i = 1 or j = 1 the character before the first is undefined, which equals no character.
      if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, before[j - 2]! + 1);
      }
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** 1 to text.length: the positions of its UTF-16 code units, counted from 1. */
function positions(text: string): number[] {
  return Array.from({ length: text.length }, (_, index) => index + 1);
}

// Stryker disable all: describe() only words INVALID_CONFIG messages
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
// Stryker restore all
