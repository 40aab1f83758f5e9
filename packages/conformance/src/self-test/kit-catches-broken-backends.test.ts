/**
 * The kit proves it can fail: each deliberately broken backend must fail the cases aimed at
 * its defect, while still passing a plain set-then-get (so the failure is the defect's).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kitCases } from '../cases/index.js';
import { runCase } from '../run-case.js';
import { tempDir } from '../temp-dir.js';
import type { BackendKitOptions, KitCase, Mode } from '../types.js';
import {
  ClearIgnoresRange,
  CompactionRevertsWrites,
  CompactsCorrectly,
  CountsKeyUnits,
  InsertionOrdered,
  LeakyFilter,
  LosesWritesOnReopen,
  PlainBackend,
  RejectsWritesDuringCompaction,
  StaleReadCache,
  StaleUnderConcurrency,
  SwallowsWriteErrors,
  TruncatesLongKeysOnReopen,
  UncheckedRanges,
  Utf16Ordered,
  WorksAfterClose,
} from './broken-backends.fixture.js';
import { EagerJsonBackend } from './eager-json-backend.fixture.js';

function kitCase(prefix: string): KitCase {
  const found = kitCases.find((candidate) => candidate.name.startsWith(prefix));
  if (!found) throw new Error(`no kit case starts with ${JSON.stringify(prefix)}`);
  return found;
}

async function verdict(kit: BackendKitOptions, prefix: string, mode: Mode = 'raw'): Promise<string> {
  return runCase(kitCase(prefix), mode, kit).then(
    () => 'passed',
    (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

const lossy: BackendKitOptions = {
  name: 'loses-writes-on-reopen',
  create: () => new LosesWritesOnReopen(),
  reopen: (previous) => new LosesWritesOnReopen((previous as LosesWritesOnReopen).disk),
};
const stale: BackendKitOptions = { name: 'stale', create: () => new StaleUnderConcurrency() };
const staleReads: BackendKitOptions = { name: 'stale-read-cache', create: () => new StaleReadCache() };
const utf16: BackendKitOptions = { name: 'utf16-ordered', create: () => new Utf16Ordered() };
const insertion: BackendKitOptions = { name: 'insertion-ordered', create: () => new InsertionOrdered() };
const swallowing: BackendKitOptions = { name: 'swallows-write-errors', create: () => new SwallowsWriteErrors() };
const zombie: BackendKitOptions = { name: 'works-after-close', create: () => new WorksAfterClose() };
const plain: BackendKitOptions = { name: 'plain', create: () => new PlainBackend() };

const compacting = (create: () => PlainBackend): BackendKitOptions => ({
  name: create().name,
  create,
  maintenance: { run: (backend) => (backend as CompactsCorrectly).compact() },
});
const reverting = compacting(() => new CompactionRevertsWrites());
const rejecting = compacting(() => new RejectsWritesDuringCompaction());
const compacts = compacting(() => new CompactsCorrectly());

const directory = tempDir('stowage-self-test');
const eagerModule = fileURLToPath(new URL('./eager-json-backend.fixture.ts', import.meta.url));
const eager: BackendKitOptions = {
  name: 'eager-json',
  create: () => new EagerJsonBackend(`${directory()}/store.json`),
  reopen: (previous) => new EagerJsonBackend((previous as EagerJsonBackend).file),
  crash: { module: eagerModule },
};

const staleMaintenance: BackendKitOptions = {
  ...eager,
  name: 'stale-rewrite-maintenance',
  create: () => new EagerJsonBackend(`${directory()}/store.json`),
  crash: { module: fileURLToPath(new URL('./stale-rewrite-maintenance.fixture.ts', import.meta.url)) },
  maintenance: { run: async () => undefined },
};

const truncating: BackendKitOptions = {
  name: 'truncates-long-keys-on-reopen',
  create: () => new TruncatesLongKeysOnReopen(),
  reopen: (previous) => new TruncatesLongKeysOnReopen((previous as TruncatesLongKeysOnReopen).disk),
};

const basic = 'set then get returns the value';

describe('the kit catches broken backends', () => {
  it('passes a plain correct backend on the cases the broken ones fail', async () => {
    for (const prefix of [basic, '1,000 concurrent', 'concurrent writes to distinct', 'every method of a closed']) {
      expect(await verdict(plain, prefix), prefix).toBe('passed');
    }
  });

  it('reports a backend that loses its last write on reopen', async () => {
    expect(await verdict(lossy, basic)).toBe('passed');
    expect(await verdict(lossy, 'writes, overwrites, deletes and batches survive')).toMatch(/^failed: .*reopen/);
    expect(await verdict(lossy, 'writes, overwrites, deletes and batches survive', 'map-lru')).toMatch(/^failed/);
    expect(await verdict(lossy, 'random operation sequences')).toMatch(/^failed/);
  });

  it('reports a backend whose concurrent writes undo each other', async () => {
    expect(await verdict(stale, basic)).toBe('passed');
    expect(await verdict(stale, '1,000 concurrent')).toMatch(/^failed/);
    expect(await verdict(stale, '1,000 concurrent', 'map-full')).toMatch(/^failed/);
    expect(await verdict(stale, 'concurrent writes to distinct keys')).toMatch(/^failed/);
  });

  it('reports a backend whose read cache keeps a value that a racing write replaced', async () => {
    expect(await verdict(staleReads, basic)).toBe('passed');
    expect(await verdict(staleReads, '1,000 concurrent')).toMatch(/^failed/);
  });

  it('reports a backend that claims ordered iteration but sorts by UTF-16 code unit', async () => {
    expect(await verdict(utf16, basic)).toBe('passed');
    expect(await verdict(utf16, 'entries and keys come in ascending code-point order')).toMatch(/^failed/);
    expect(await verdict(utf16, 'reverse yields descending')).toMatch(/^failed/);
  });

  it('reports a backend that claims ordered iteration but yields insertion order', async () => {
    expect(await verdict(insertion, 'entries and keys come in ascending code-point order')).toMatch(/^failed/);
    expect(await verdict(insertion, 'entries and keys come in ascending code-point order', 'map-lru')).toMatch(
      /^failed/,
    );
    expect(await verdict(insertion, 'random operation sequences')).toMatch(/^failed/);
  });

  it('reports a backend that keeps working after close', async () => {
    expect(await verdict(zombie, basic)).toBe('passed');
    expect(await verdict(zombie, 'every method of a closed store')).toMatch(/^failed: .*STORE_CLOSED/);
  });

  it('reports a backend that swallows a write error', async () => {
    expect(await verdict(swallowing, basic)).toBe('passed');
    expect(await verdict(swallowing, 'a 16 MiB string round trips')).toMatch(/^failed/);
    expect(await verdict(swallowing, '16 MiB of bytes round trip')).toMatch(/^failed/);
  });

  it('reports a backend that accepts long keys and cannot give them back after reopen', async () => {
    expect(await verdict(truncating, basic)).toBe('passed');
    expect(await verdict(truncating, 'everything the API accepted', 'map-full')).toMatch(/^failed: Property failed/);
  });

  it('reports a backend that iterates invalid ranges instead of refusing them', async () => {
    const unchecked: BackendKitOptions = { name: 'unchecked-ranges', create: () => new UncheckedRanges() };
    expect(await verdict(unchecked, basic)).toBe('passed');
    expect(await verdict(plain, 'invalid ranges')).toBe('passed');
    expect(await verdict(unchecked, 'invalid ranges')).toMatch(/^failed: .*INVALID_ARGUMENT/);
  });

  it('reports a backend whose key limit counts UTF-16 units instead of UTF-8 bytes', async () => {
    const units: BackendKitOptions = { name: 'counts-key-units', create: () => new CountsKeyUnits() };
    expect(await verdict(units, basic)).toBe('passed');
    expect(await verdict(units, 'keys of exactly maxKeyBytes in 2-, 3- and 4-byte')).toMatch(/^failed: .*INVALID_KEY/);
  });

  it('reports, in the namespace mode, a clear that removes keys outside the namespace', async () => {
    const wide: BackendKitOptions = { name: 'clear-ignores-range', create: () => new ClearIgnoresRange() };
    expect(await verdict(wide, basic, 'map-namespace')).toBe('passed');
    expect(await verdict(plain, 'clear removes every entry', 'map-namespace')).toBe('passed');
    expect(await verdict(wide, 'clear removes every entry', 'map-namespace')).toMatch(/^failed: .*outside it/);
  });

  it('reports an approximate store with a false negative, or a false-positive rate over its promise', async () => {
    const kit = (forgets: boolean, falsePositiveRate: number): BackendKitOptions => ({
      name: 'leaky-filter',
      create: () => new LeakyFilter(forgets),
      approximate: { falsePositiveRate },
    });
    const approximate = 'approximate membership';
    expect(await verdict(kit(false, 0.15), approximate)).toBe('passed');
    expect(await verdict(kit(true, 0.15), approximate)).toMatch(/^failed: .*false negative/);
    expect(await verdict(kit(false, 0.01), approximate)).toMatch(/^failed: .*exceeds the promised/);
  });

  it('reports maintenance that reverts or rejects writes made while it runs, and passes a correct one', async () => {
    const maintenance = 'while maintenance runs over and over';
    for (const mode of ['raw', 'map-lru'] as const) {
      expect(await verdict(compacts, maintenance, mode)).toBe('passed');
      expect(await verdict(reverting, basic, mode)).toBe('passed');
      expect(await verdict(reverting, maintenance, mode)).toMatch(/^failed/);
      expect(await verdict(rejecting, maintenance, mode)).toMatch(
        /^failed: maintenance round with seed \d+ .*rejected while maintenance ran/s,
      );
    }
  });

  it('reports a file backend that acknowledges writes before they are on disk', async () => {
    expect(await verdict(eager, 'writes, overwrites, deletes and batches survive')).toBe('passed');
    expect(await verdict(eager, 'after SIGKILL of a writing process')).toMatch(/^failed: .*(recovered as|torn|JSON)/);
  }, 120_000);

  it('reports maintenance that reverts acknowledged writes on disk, after a SIGKILL', async () => {
    expect(await verdict(staleMaintenance, 'after SIGKILL of a process writing while maintenance runs')).toMatch(
      /^failed: .*(recovered as|torn|JSON)/,
    );
  }, 240_000);

  it('loads the crash module only in child processes, never in the test process', async () => {
    const module = fileURLToPath(new URL('./parent-import-marker.fixture.ts', import.meta.url));
    const kit: BackendKitOptions = { ...eager, name: 'import-marker', crash: { module } };
    // The JSON example is correct: the crash case passes, run from children alone.
    expect(await verdict(kit, 'after SIGKILL of a writing process')).toBe('passed');
    expect((globalThis as { stowageCrashModuleImported?: boolean }).stowageCrashModuleImported).toBeUndefined();
  }, 240_000);
});
