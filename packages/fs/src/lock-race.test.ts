/**
 * Many real processes race for a lock whose holder was SIGKILLed. Every round: all
 * contenders are told to take the lock at once; exactly one may win, every other must get
 * StowageError LOCKED, and the winner (who checks the shared holders file) must find
 * nobody else inside. The winner is then killed with SIGKILL, leaving a stale lock for the
 * next round, and replaced by a fresh process.
 *
 * STOWAGE_LOCK_ROUNDS sets the rounds (default 50; the long mode is 1,000).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROUNDS = Number(process.env.STOWAGE_LOCK_ROUNDS ?? 50);
const CONTENDERS = 8;
const SPARES = 4;
const workerSource = fileURLToPath(new URL('./lock-race-worker.fixture.ts', import.meta.url));

interface Outcome {
  readonly round: number;
  readonly result: string;
  readonly alone?: boolean;
  readonly message?: string;
}

interface Contender {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  next(round: number): Promise<Outcome>;
}

let dir: string;
let worker: { readonly execPath: string; readonly execArgv: string[]; readonly script: string };
const everyone = new Set<ChildProcess>();

/**
 * The contender runs as plain node from a bundle of the sources (a tenth of tsx's start-up
 * cost, which matters at 1,000 replacements); tsx runs the source when esbuild is absent.
 */
async function prepareWorker(): Promise<typeof worker> {
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('tsx'));
    const esbuild = (await import(require.resolve('esbuild'))) as { build(options: object): Promise<unknown> };
    const script = join(dir, 'worker.mjs');
    await esbuild.build({
      entryPoints: [workerSource],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      conditions: ['@stowage/source'],
      logLevel: 'silent',
    });
    return { execPath: process.execPath, execArgv: [], script };
  } catch {
    return {
      execPath: process.execPath,
      execArgv: ['--conditions=@stowage/source', '--import', 'tsx'],
      script: workerSource,
    };
  }
}

function start(lockPath: string, holdersPath: string): Promise<Contender> {
  const child = fork(worker.script, [lockPath, holdersPath], {
    execArgv: worker.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  everyone.add(child);
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<number, (outcome: Outcome) => void>();
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      for (const wake of waiting.values()) wake({ round: -1, result: `exited ${code ?? signal}: ${errors}` });
      reject(new Error(`contender exited (${code ?? signal}) before it was ready: ${errors}`));
    });
    child.on('message', (message: Outcome | { ready: true }) => {
      if ('ready' in message) {
        resolve({
          child,
          exited,
          next: (round) => new Promise((done) => waiting.set(round, done)),
        });
        return;
      }
      waiting.get(message.round)?.(message);
      waiting.delete(message.round);
    });
  });
}

/** A contender started ahead; one still starting when the test ends is killed and forgotten. */
function spare(lockPath: string, holdersPath: string): Promise<Contender> {
  const starting = start(lockPath, holdersPath);
  starting.catch(() => undefined);
  return starting;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-lock-race-'));
  worker = await prepareWorker();
});

afterAll(() => {
  for (const child of everyone) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the lock under a race of processes for a stale lock', () => {
  it(
    `admits exactly one holder per round and refuses every other contender with LOCKED (${ROUNDS} rounds of ${CONTENDERS} processes)`,
    async () => {
      const lockPath = join(dir, 'LOCK');
      const holdersPath = join(dir, 'holders');
      const startedAt = Date.now();
      // Round 0's stale lock: a holder killed while holding.
      const first = await start(lockPath, holdersPath);
      first.child.send({ round: 0 });
      expect((await first.next(0)).result).toBe('won');
      first.child.kill('SIGKILL');
      await first.exited; // reaped: a zombie would still answer kill(pid, 0)

      let pool = await Promise.all(Array.from({ length: CONTENDERS }, () => start(lockPath, holdersPath)));
      // Replacements start ahead, several at once: a process start is mostly waiting.
      const spares = Array.from({ length: SPARES }, () => spare(lockPath, holdersPath));
      let doubleHolders = 0;
      let notAlone = 0;
      const otherResults: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const outcomes = pool.map((contender) => contender.next(round));
        for (const contender of pool) contender.child.send({ round });
        const results = await Promise.all(outcomes);
        const winners = results.flatMap((outcome, index) => (outcome.result === 'won' ? [pool[index]!] : []));
        doubleHolders += Math.max(0, winners.length - 1);
        notAlone += results.filter((outcome) => outcome.result === 'won' && outcome.alone !== true).length;
        for (const outcome of results) {
          if (outcome.result !== 'won' && outcome.result !== 'LOCKED')
            otherResults.push(`round ${round}: ${outcome.result} ${outcome.message ?? ''}`);
        }
        expect(winners.length, `round ${round}: ${JSON.stringify(results)}`).toBe(1);
        // The winner dies holding the lock; a fresh contender takes its place.
        const winner = winners[0]!;
        winner.child.kill('SIGKILL');
        spares.push(spare(lockPath, holdersPath));
        await winner.exited;
        pool = [...pool.filter((contender) => contender !== winner), await spares.shift()!];
      }
      const seconds = (Date.now() - startedAt) / 1000;
      expect(otherResults).toEqual([]);
      expect(doubleHolders).toBe(0);
      expect(notAlone).toBe(0);
      // The holders file agrees: entries and exits strictly alternate, one per round.
      const lines = readFileSync(holdersPath, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(2 * (ROUNDS + 1));
      for (let i = 0; i < lines.length; i += 2) {
        expect(lines[i]!.startsWith('+')).toBe(true);
        expect(lines[i + 1]).toBe(`-${lines[i]!.slice(1)}`);
      }
      console.info(
        `lock race: ${ROUNDS} rounds x ${CONTENDERS} processes, ${doubleHolders} double holders, ${seconds.toFixed(1)} s`,
      );
    },
    60_000 + ROUNDS * 3_000,
  );
});
