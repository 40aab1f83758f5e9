/**
 * The maplet against what a JavaScript user would use instead, in one run, same machine,
 * same keys: a `Map` (key → value) and a `Set`, and the `bloom-filters` package's
 * BloomFilter (membership only). For ε = 1% and 0.1% it reports the bits per key of each
 * (the maplet's typed arrays; the Bloom filter's bit count; a Map's and a Set's heap growth
 * measured with gc), the measured false-positive rate over absent keys, and query rates
 * for present and absent keys, with the ratios the maplet issue asks for. Run:
 *
 *   cd apps/bench && node --expose-gc --import tsx --conditions=@stowage/source src/subjects/maplet-head-to-head.ts [keys]
 *
 * The maplet is sized for the keys (growth 'fixed', one table at a load of about 0.9 —
 * the load the bits-per-key target is stated at), once as a membership filter and
 * once with 8 value bits (counters, `sum`).
 */
import { Maplet } from '@stowage/maplet';
import bloomFilters from 'bloom-filters';

const { BloomFilter } = bloomFilters;

const requested = Number(process.argv[2] ?? 1_000_000);
// A power-of-two table filled to 0.9: the number of keys nearest the request.
const keys = Math.floor(0.9 * 2 ** Math.round(Math.log2(requested / 0.9)));
const absentProbes = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc;

const present = Array.from({ length: keys }, (_, i) => `user:${i}:${(i * 2_654_435_761) >>> 0}`);
const absent = Array.from({ length: absentProbes }, (_, i) => `visitor:${i}:${(i * 40_503) >>> 0}`);

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Queries per second over `probe`, best of three passes (the first warms the JIT). */
function rate(list: readonly string[], probe: (key: string) => boolean): { rate: number; hits: number } {
  let best = 0;
  let hits = 0;
  for (let pass = 0; pass < 3; pass++) {
    hits = 0;
    const start = performance.now();
    for (let i = 0; i < list.length; i++) if (probe(list[i]!)) hits++;
    best = Math.max(best, list.length / ((performance.now() - start) / 1000));
  }
  return { rate: best, hits };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const row = (label: string, cells: (string | number)[]) =>
  console.log(`| ${label.padEnd(36)} | ${cells.map((c) => String(c).padStart(12)).join(' | ')} |`);

console.log(`maplet head-to-head: ${fmt(keys)} keys, ${fmt(absentProbes)} absent probes, node ${process.version}`);
if (gc === undefined) console.log('(run with --expose-gc for the Map and Set heap figures)');

let before = heapUsed();
const map = new Map<string, number>();
for (let i = 0; i < keys; i++) map.set(present[i]!, i & 255);
const mapBits = ((heapUsed() - before) * 8) / keys;
before = heapUsed();
const set = new Set<string>(present);
const setBits = ((heapUsed() - before) * 8) / keys;
const mapPresent = rate(present, (key) => map.get(key) !== undefined);
const mapAbsent = rate(absent, (key) => map.get(key) !== undefined);
const setPresent = rate(present, (key) => set.has(key));
const setAbsent = rate(absent, (key) => set.has(key));

console.log('');
row('structure', ['bits/key', 'FP rate', 'present q/s', 'absent q/s', 'absent/Map', 'absent/Set']);
row('Map<string, number> (exact)', [
  gc ? mapBits.toFixed(1) : 'n/a',
  '0',
  fmt(mapPresent.rate),
  fmt(mapAbsent.rate),
  '1.00',
  (mapAbsent.rate / setAbsent.rate).toFixed(2),
]);
row('Set<string> (exact)', [
  gc ? setBits.toFixed(1) : 'n/a',
  '0',
  fmt(setPresent.rate),
  fmt(setAbsent.rate),
  (setAbsent.rate / mapAbsent.rate).toFixed(2),
  '1.00',
]);

for (const epsilon of [0.01, 0.001]) {
  const bloom = BloomFilter.create(keys, epsilon);
  for (const key of present) bloom.add(key);
  const bloomPresent = rate(present.slice(0, 200_000), (key) => bloom.has(key));
  const bloomAbsent = rate(absent.slice(0, 200_000), (key) => bloom.has(key));
  const bloomFp = absent.filter((key) => bloom.has(key)).length / absent.length;
  row(`bloom-filters BloomFilter ε=${epsilon}`, [
    (bloom.size / keys).toFixed(1),
    bloomFp.toFixed(5),
    fmt(bloomPresent.rate),
    fmt(bloomAbsent.rate),
    (bloomAbsent.rate / mapAbsent.rate).toFixed(2),
    (bloomAbsent.rate / setAbsent.rate).toFixed(2),
  ]);

  for (const valueBits of [0, 8]) {
    const maplet = new Maplet({
      falsePositiveRate: epsilon,
      capacity: keys,
      maxLoad: 0.95,
      growth: 'fixed',
      valueBits,
      ...(valueBits === 0 ? {} : { merge: 'sum' as const }),
    });
    const start = performance.now();
    for (let i = 0; i < keys; i++) maplet.insert(present[i]!, valueBits === 0 ? 0 : 1 + (i & 127));
    const insertNs = ((performance.now() - start) * 1e6) / keys;
    const presentRate = rate(present, (key) => maplet.get(key) !== undefined);
    const absentRate = rate(absent, (key) => maplet.get(key) !== undefined);
    if (presentRate.hits !== keys) throw new Error(`the maplet lost ${keys - presentRate.hits} keys`);
    const stats = maplet.stats(0);
    const fp = absentRate.hits / absent.length;
    const bound = log2(1 / epsilon) + 3.5 + valueBits;
    row(`maplet ε=${epsilon}, ${valueBits} value bits`, [
      stats.bitsPerKey.toFixed(2),
      fp.toFixed(5),
      fmt(presentRate.rate),
      fmt(absentRate.rate),
      (absentRate.rate / mapAbsent.rate).toFixed(2),
      (absentRate.rate / setAbsent.rate).toFixed(2),
    ]);
    console.log(
      `|   load ${stats.loadFactor.toFixed(3)}, r=${stats.remainderBits}, target ≤ ${bound.toFixed(2)} bits/key: ${stats.bitsPerKey <= bound ? 'met' : 'NOT met'}; ` +
        `theoretical FP ${stats.theoreticalFalsePositiveRate.toFixed(5)}; insert ${insertNs.toFixed(0)} ns; ` +
        `absent ${(absentRate.rate / bloomAbsent.rate).toFixed(1)}x and present ${(presentRate.rate / bloomPresent.rate).toFixed(1)}x the Bloom filter`,
    );
    // The same table filled on to a load of 0.95 (the CQF's usual limit).
    const more = Math.floor(0.95 * 2 ** Math.round(Math.log2(keys / 0.9)));
    for (let i = keys; i < more; i++) maplet.insert(`more:${i}`, valueBits === 0 ? 0 : 1);
    const fuller = maplet.stats(200_000);
    console.log(
      `|   at load ${fuller.loadFactor.toFixed(3)}: ${fuller.bitsPerKey.toFixed(2)} bits/key (target ≤ ${bound.toFixed(2)}: ${fuller.bitsPerKey <= bound ? 'met' : 'NOT met'}), ` +
        `sampled FP ${fuller.measuredFalsePositiveRate.rate.toFixed(5)} [${fuller.measuredFalsePositiveRate.low.toFixed(5)}, ${fuller.measuredFalsePositiveRate.high.toFixed(5)}]`,
    );
  }
}

function log2(n: number): number {
  return Math.log2(n);
}
