/**
 * One contender in the lock race test (lock-race.test.ts), run as a real child process.
 * On `race` it takes the lock; a winner appends `+<pid> <round>` to the shared holders
 * file (O_APPEND), stays a moment, checks that nobody else entered since and nobody was
 * inside before, appends `-<pid> <round>`, and keeps the lock until it is killed.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { StowageError } from '@stowage/core';
import { acquireLock } from './lock.js';
import { nodeFileSystem } from './node-file-system.js';

const [lockPath, holdersPath] = process.argv.slice(2) as [string, string];
const HOLD_MS = 10;

interface RaceMessage {
  readonly round: number;
}

function send(message: object): void {
  process.send?.(message);
}

/** How many holders were inside (entered, not yet left) just before line `end`. */
function insideBefore(lines: readonly string[], end: number): number {
  let inside = 0;
  for (const line of lines.slice(0, end)) inside += line.startsWith('+') ? 1 : line.startsWith('-') ? -1 : 0;
  return inside;
}

process.on('message', async ({ round }: RaceMessage) => {
  try {
    await acquireLock(nodeFileSystem, lockPath, { origin: 'race' });
  } catch (error) {
    send({ round, result: StowageError.is(error) ? error.code : 'error', message: String(error) });
    return;
  }
  const entry = `+${process.pid} ${round}`;
  appendFileSync(holdersPath, `${entry}\n`);
  await new Promise((done) => setTimeout(done, HOLD_MS));
  const lines = readFileSync(holdersPath, 'utf8').split('\n').filter(Boolean);
  const at = lines.lastIndexOf(entry);
  const alone = insideBefore(lines, at) === 0 && lines.slice(at + 1).every((line) => !line.startsWith('+'));
  appendFileSync(holdersPath, `-${process.pid} ${round}\n`);
  send({ round, result: 'won', alone });
});

send({ ready: true });
