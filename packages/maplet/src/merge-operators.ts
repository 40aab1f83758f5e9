/**
 * How a maplet combines the values of fingerprints that collide (and, for `sum`, of
 * repeated inserts of one key). An operator must be associative and commutative so the
 * answer does not depend on insertion order, and must never understate: the merge of a
 * key's value with any other value is what a query may answer for that key.
 *
 * Two storage disciplines follow from whether the operator can be undone:
 * - counting (sum): one slot per fingerprint holding the merged count; deleting a pair
 *   subtracts it (a saturated count stays saturated); a count of zero is absent.
 * - otherwise (max, min, or, last-writer, custom): one slot per inserted pair, merged at
 *   query time, so deleting a pair removes exactly that pair and nothing of a colliding key.
 */

export interface MergeOperator {
  /** Stored in the snapshot; reopening with an operator of another name is refused. */
  readonly name: string;
  /** Combines two values of `valueBits` bits into one of `valueBits` bits. */
  merge(a: number, b: number, max: number): number;
  /**
   * Counting (only `sum`): one slot per fingerprint holding the merged count, a delete
   * subtracts, and a count of zero is absent.
   */
  readonly counting?: boolean;
  /**
   * True for last-writer: the newest colliding value wins. It is the one operator that is
   * not commutative — under a collision a key may answer another key's newer value.
   */
  readonly lastWriter?: boolean;
}

/** Counters: saturate at the largest value (a saturated counter means "at least this"). */
export const sum: MergeOperator = {
  name: 'sum',
  merge: (a, b, max) => Math.min(max, a + b),
  counting: true,
};

export const max: MergeOperator = { name: 'max', merge: (a, b) => Math.max(a, b) };

export const min: MergeOperator = { name: 'min', merge: (a, b) => Math.min(a, b) };

/** Bitwise or: a small set of up to `valueBits` members as a bit mask (set union). */
export const or: MergeOperator = { name: 'or', merge: (a, b) => (a | b) >>> 0 };

/** The newest value wins; the merge of a run is its last inserted value. */
export const lastWriter: MergeOperator = { name: 'last-writer', merge: (_a, b) => b, lastWriter: true };

export const mergeOperators = { sum, max, min, or, 'last-writer': lastWriter } as const;

export type MergeOperatorName = keyof typeof mergeOperators;

/** A user-defined operator: associative and commutative (check it with `checkMergeOperator`). */
export function customOperator(name: string, merge: (a: number, b: number) => number): MergeOperator {
  return { name: `custom:${name}`, merge: (a, b) => merge(a, b) };
}

/** One counterexample found by `checkMergeOperator`. */
export interface OperatorViolation {
  readonly law: 'associative' | 'commutative' | 'in range';
  readonly values: readonly number[];
}

/**
 * Property test a user can run on their own operator: merges `trials` random triples of
 * `valueBits`-bit values (seeded, reproducible) and returns the first violations of
 * associativity, commutativity or the value range (an empty array means none was found).
 */
export function checkMergeOperator(
  operator: MergeOperator,
  valueBits: number,
  trials = 10_000,
  seed = 1,
): OperatorViolation[] {
  const maxValue = 2 ** valueBits - 1; // exact up to 32 bits
  let state = seed >>> 0;
  const next = () => {
    // Stryker disable next-line ArithmeticOperator: another odd step gives another well-spread stream; only the same stream for the same seed is promised
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    // Stryker disable next-line ArithmeticOperator: a mixing step's sign only picks another well-spread stream (see above)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const random = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(random * (maxValue + 1));
  };
  const violations: OperatorViolation[] = [];
  const merge = (a: number, b: number) => operator.merge(a, b, maxValue);
  // Over a fixed-length array, not a counter: no mutant of the loop can make it spin forever.
  for (const _trial of Array.from({ length: trials })) {
    if (violations.length >= 10) break;
    const a = next();
    const b = next();
    const c = next();
    const ab = merge(a, b);
    if (!(Number.isInteger(ab) && ab >= 0 && ab <= maxValue)) violations.push({ law: 'in range', values: [a, b] });
    if (ab !== merge(b, a)) violations.push({ law: 'commutative', values: [a, b] });
    if (merge(ab, c) !== merge(a, merge(b, c))) violations.push({ law: 'associative', values: [a, b, c] });
  }
  return violations;
}
