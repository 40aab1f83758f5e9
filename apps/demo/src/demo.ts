/**
 * The demo: the scenario of ./scenario.ts on SQLite, told step by step, then the same code
 * on the log and CSV engines in one line each. Returns what it observed so a test can
 * check it; prints through `print` so a test can read it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyValueMap } from '@stowage/core';
import { type EngineName, engineDescriptions, openStore, storePath } from './engines.js';
import { countPageViews, createSessions, fillTenants, pageViews, tenantSizes } from './scenario.js';

export interface DemoOptions {
  readonly print?: (line: string) => void;
  /** Concurrent increments of the counter (default 1,000). */
  readonly requests?: number;
  /** Engines to run: the first is told in full, the others in one line each. */
  readonly engines?: readonly EngineName[];
  /** Keep the store files in this directory instead of a temporary one removed at the end. */
  readonly dir?: string;
}

export interface EngineReport {
  readonly engine: EngineName;
  readonly bobVisibleAtFirst: boolean;
  readonly bobVisibleAfterTtl: boolean;
  readonly bobSweptFromBackend: boolean;
  readonly counter: number;
  readonly tenantsBeforeClear: { acme: number; globex: number };
  readonly tenantsAfterClear: { acme: number; globex: number };
  readonly afterReopen: {
    readonly counter: number;
    readonly alicePresent: boolean;
    readonly bobPresent: boolean;
    readonly tenants: { acme: number; globex: number };
  };
}

const shortTtlMs = 300;

export async function runDemo(options: DemoOptions = {}): Promise<EngineReport[]> {
  const print = options.print ?? console.log;
  const requests = options.requests ?? 1000;
  const engines = options.engines ?? ['sqlite', 'log', 'csv'];
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'stowage-demo-'));
  const started = Date.now();
  const reports: EngineReport[] = [];
  try {
    for (const [index, engine] of engines.entries()) {
      if (index === 0) {
        print(`Stowage demo: a web app's state in ${engineDescriptions[engine]}, no set-up.`);
        print(`  store: ${storePath(engine, dir)}`);
        reports.push(await exercise(engine, dir, requests, print));
      } else {
        if (index === 1) {
          print('');
          print('5. The same code on other engines (only engines.ts names them)');
        }
        const report = await exercise(engine, dir, requests, () => {});
        reports.push(report);
        print(`   ${engine.padEnd(6)} ${summary(report)}`);
        if (engine === 'csv') printCsv(storePath('csv', dir), print);
      }
    }
    print('');
    print(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.${options.dir ? ` Files kept in ${dir}.` : ''}`);
    return reports;
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole scenario on one engine; `say` narrates it (or not). */
async function exercise(
  engine: EngineName,
  dir: string,
  requests: number,
  say: (line: string) => void,
): Promise<EngineReport> {
  let store = await openStore(engine, dir);
  try {
    say('');
    say('1. Sessions with a time to live');
    await createSessions(store, shortTtlMs);
    say(`   set session:alice (ttl 1 h) and session:bob (ttl ${shortTtlMs} ms)`);
    const bobVisibleAtFirst = (await store.get('session:bob')) !== undefined;
    say(
      `   right away:    alice ${mark(await store.has('session:alice'))}  bob ${mark(bobVisibleAtFirst)}  (bob expires in ${await store.ttl('session:bob')} ms)`,
    );
    await sleep(shortTtlMs + 100);
    const bobVisibleAfterTtl = (await store.get('session:bob')) !== undefined;
    say(
      `   after ${shortTtlMs + 100} ms:  alice ${mark(await store.has('session:alice'))}  bob ${mark(bobVisibleAfterTtl)}  (an expired entry is invisible at once)`,
    );
    const bobSweptFromBackend = await sweptFromBackend(store, 'session:bob');
    say(
      `   ${bobSweptFromBackend ? 'the sweep also deleted bob from the store files, without anyone reading him' : 'bob was NOT swept from the files within 3 s'}`,
    );

    say('');
    say('2. Counters through update()');
    const counter = await countPageViews(store, requests);
    say(
      `   ${requests.toLocaleString('en-US')} concurrent increments of ${pageViews} → ${counter.toLocaleString('en-US')}${counter === requests ? ' (exact: none lost)' : ' (LOST SOME)'}`,
    );

    say('');
    say('3. A namespace per tenant');
    await fillTenants(store);
    const tenantsBeforeClear = await tenantSizes(store);
    say(`   tenant:acme: ${tenantsBeforeClear.acme} keys, tenant:globex: ${tenantsBeforeClear.globex} keys`);
    await store.namespace('tenant:acme:').clear();
    const tenantsAfterClear = await tenantSizes(store);
    say(
      `   acme.clear()  → acme: ${tenantsAfterClear.acme} keys, globex: ${tenantsAfterClear.globex} keys (untouched)`,
    );

    await store.close();
    say('');
    say(`4. Close, then reopen ${storePath(engine, dir).split('/').at(-1)}`);
    store = await openStore(engine, dir);
    const alicePresent = await store.has('session:alice');
    const afterReopen = {
      counter: (await store.get(pageViews)) as number,
      alicePresent,
      bobPresent: await store.has('session:bob'),
      tenants: await tenantSizes(store),
    };
    const aliceTtl = alicePresent
      ? `, expires in ${Math.round(((await store.ttl('session:alice')) ?? 0) / 60_000)} min`
      : '';
    say(
      `   ${pageViews} = ${afterReopen.counter.toLocaleString('en-US')} · alice ${mark(alicePresent)}${aliceTtl} · bob ${mark(afterReopen.bobPresent)} · acme ${afterReopen.tenants.acme} keys · globex ${afterReopen.tenants.globex} keys`,
    );
    return {
      engine,
      bobVisibleAtFirst,
      bobVisibleAfterTtl,
      bobSweptFromBackend,
      counter,
      tenantsBeforeClear,
      tenantsAfterClear,
      afterReopen,
    };
  } finally {
    await store.close();
  }
}

/** Waits (up to 3 s) for the TTL sweep to delete `key` from the backend itself. */
async function sweptFromBackend(store: KeyValueMap<string, unknown>, key: string): Promise<boolean> {
  for (let waited = 0; waited <= 3000; waited += 50) {
    if ((await store.backend.get(key)) === undefined) return true;
    await sleep(50);
  }
  return false;
}

function summary(report: EngineReport): string {
  const reopened = report.afterReopen;
  const sessions =
    report.bobVisibleAtFirst && !report.bobVisibleAfterTtl && report.bobSweptFromBackend
      ? 'bob expired and swept'
      : 'TTL WRONG';
  const tenants = `acme cleared, globex ${report.tenantsAfterClear.globex} keys`;
  const persisted =
    reopened.counter === report.counter &&
    reopened.alicePresent &&
    !reopened.bobPresent &&
    reopened.tenants.globex === report.tenantsAfterClear.globex;
  return `(${engineDescriptions[report.engine]}): ${sessions} · counter ${report.counter.toLocaleString('en-US')} · ${tenants} · after reopen ${persisted ? 'all there' : 'SOMETHING MISSING'}`;
}

function printCsv(path: string, print: (line: string) => void): void {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  print('   the CSV file, as a spreadsheet would show it:');
  for (const line of lines.slice(0, 4)) print(`     ${line.length > 100 ? `${line.slice(0, 97)}...` : line}`);
  if (lines.length > 4) print(`     ... ${lines.length - 4} more rows`);
}

function mark(present: boolean): string {
  return present ? '✓' : '✗';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
