import { describe, expect, it } from 'vitest';
import { describePowerCut, PowerCutFailure, type PowerCutOptions, runFaultCases, runPowerCuts } from './index.js';
import { type ToyDefect, ToyLogBackend } from './toy-log.fixture.js';

function toyLog(durability: 'none' | 'always', defect?: ToyDefect): PowerCutOptions {
  return {
    name: `toy log (${durability}${defect ? `, ${defect}` : ''})`,
    create: (fs, dir) => new ToyLogBackend({ fs, dir, durability, ...(defect ? { defect } : {}) }),
    durable: durability !== 'none',
  };
}

async function failure(run: Promise<unknown>): Promise<PowerCutFailure> {
  try {
    await run;
  } catch (error) {
    if (error instanceof PowerCutFailure) return error;
    throw error;
  }
  throw new Error('the section passed a broken engine');
}

// The section as an engine uses it: a correct engine passes, at every durability it offers.
describePowerCut(toyLog('always'));
describePowerCut({ ...toyLog('none'), durable: (backend) => !backend.supports.durability.includes('none') });

describe('the power-cut section catches broken engines', () => {
  it('catches an engine that acknowledges before fsync, naming the seed', async () => {
    const error = await failure(runPowerCuts(toyLog('always', 'ack-before-sync'), 1, 200));
    expect(error.message).toMatch(/seed \d+ \(replay with STOWAGE_POWER_CUT_SEED=\d+ STOWAGE_POWER_CUTS=1\)/);
    expect(error.message).toContain('the last write that had to survive');
    // The seed replays the same failure.
    const replay = await failure(runPowerCuts(toyLog('always', 'ack-before-sync'), error.seed, 1));
    expect(replay.message).toBe(error.message);
  });

  it('catches an engine that never fsyncs the folder of a file it created', async () => {
    const error = await failure(runPowerCuts(toyLog('always', 'no-directory-sync'), 1, 200));
    expect(error.message).toContain('power cut');
  });

  it('catches an engine that replays torn records without checking them', async () => {
    const error = await failure(runPowerCuts(toyLog('always', 'skip-checksum'), 1, 500));
    expect(error.message).toMatch(/never written|may only hold|could not reopen|reading the store failed/);
  });

  it('catches an engine that claims durability it does not have', async () => {
    await failure(runPowerCuts({ ...toyLog('none'), durable: true }, 1, 200));
  });

  it('catches a non-durable engine whose flush does not fsync, stating what durability none may lose', async () => {
    const error = await failure(runPowerCuts(toyLog('none', 'flush-without-sync'), 1, 500));
    expect(error.message).toContain('writes acknowledged after the last completed flush may be lost');
    expect(error.message).toContain('the last write that had to survive');
  });

  it('catches an engine that shows a write the disk refused', async () => {
    const error = await failure(runFaultCases(toyLog('always', 'visible-before-sync')));
    expect(error.message).toContain('after the rejected write');
  });

  it('finds no fault in the correct engine and hits its writes with faults', async () => {
    await expect(runFaultCases(toyLog('always'))).resolves.toBeGreaterThan(4);
  });
});
