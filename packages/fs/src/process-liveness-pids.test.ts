/**
 * Guarantee: processExists answers only for a real process id. 0 and negative numbers
 * (which process.kill would take for a process group), fractions and NaN are never a
 * running process, so a lock or temp file naming one is never taken for a live writer;
 * this process and its parent are running, and a pid above any the kernel hands out is not.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processExists } from './process-liveness.js';

describe('processExists', () => {
  it.each([0, -1, -process.pid, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('is false for %s', (pid) => {
    expect(processExists(pid)).toBe(false);
  });

  it('is true for this process and its parent, and false for a pid no process has', () => {
    expect(processExists(process.pid)).toBe(true);
    expect(processExists(process.ppid)).toBe(true);
    expect(processExists(4_194_304 + 12_345)).toBe(false);
  });
});

describe('processExists for a process of another user', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts it as running when signalling it is refused (EPERM), and as gone only on ESRCH', () => {
    const refuse = (code: string) =>
      vi.spyOn(process, 'kill').mockImplementation(() => {
        throw Object.assign(new Error(code), { code });
      });
    refuse('EPERM');
    expect(processExists(1234)).toBe(true);
    vi.restoreAllMocks();
    refuse('ESRCH');
    expect(processExists(1234)).toBe(false);
  });
});
