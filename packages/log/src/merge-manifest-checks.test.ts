/**
 * The MERGE manifest's checks, one by one: open deletes the files a manifest names, so
 * each way a manifest can be wrong must be refused with CORRUPTION (never a TypeError,
 * never trusted), and a manifest a merge wrote must pass.
 */
import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { checkMergeManifest, encodeMergeManifest, parseMergeManifest } from './merge-manifest.js';
import type { FileKind } from './record-format.js';

/** A manifest with this body under a correct checksum, so only the body's checks can refuse it. */
function sealed(body: unknown): string {
  const text = JSON.stringify(body);
  return JSON.stringify({ body: text, crc: crc32c(Buffer.from(text, 'utf8')) });
}

function corruption(run: () => unknown): StowageError {
  try {
    run();
  } catch (error) {
    expect(StowageError.is(error, 'CORRUPTION'), String(error)).toBe(true);
    expect((error as StowageError).file).toBe('MERGE');
    return error as StowageError;
  }
  throw new Error('no CORRUPTION');
}

const kinds = (entries: [number, FileKind][]) => new Map<number, FileKind>(entries);

describe('parsing the MERGE manifest', () => {
  it('reads back what a merge wrote, empty lists included', () => {
    const text = encodeMergeManifest([1, 2, 10], [11]).toString('utf8');
    expect(parseMergeManifest(text)).toEqual({ remove: [1, 2, 10], outputs: [11] });
    expect(parseMergeManifest(encodeMergeManifest([], []).toString('utf8'))).toEqual({ remove: [], outputs: [] });
  });

  it('refuses JSON null, a missing body and a body that is not text, as CORRUPTION', () => {
    corruption(() => parseMergeManifest('null'));
    corruption(() => parseMergeManifest('{}'));
    corruption(() => parseMergeManifest(JSON.stringify({ body: 5, crc: crc32c(Buffer.from('5')) })));
  });

  it('refuses a body whose checksum does not match', () => {
    const good = JSON.parse(encodeMergeManifest([1], [2]).toString('utf8')) as { body: string; crc: number };
    corruption(() => parseMergeManifest(JSON.stringify({ body: good.body, crc: good.crc ^ 1 })));
    corruption(() => parseMergeManifest(JSON.stringify({ body: good.body })));
  });

  it.each([
    ['another format', { format: 2, remove: [1], outputs: [2] }],
    ['no format', { remove: [1], outputs: [2] }],
    ['remove not a list', { format: 1, remove: 1, outputs: [2] }],
    ['outputs not a list', { format: 1, remove: [1], outputs: { 0: 2 } }],
    ['an id of 0', { format: 1, remove: [0], outputs: [2] }],
    ['a negative id', { format: 1, remove: [1], outputs: [-2] }],
    ['a fractional id', { format: 1, remove: [1.5], outputs: [2] }],
    ['an id as text', { format: 1, remove: ['1'], outputs: [2] }],
  ])('refuses a checksummed body with %s', (_label, body) => {
    corruption(() => parseMergeManifest(sealed(body)));
  });
});

describe('checking the MERGE manifest against the files present', () => {
  it('accepts inputs that are older log and merged files, with every output present as a merged file', () => {
    const present = kinds([
      [1, 'merged'],
      [2, 'log'],
      [3, 'log'],
      [4, 'merged'],
    ]);
    expect(() => checkMergeManifest({ remove: [1, 2], outputs: [4] }, present)).not.toThrow();
    // Inputs already removed before the crash are fine: finishing the removals is the point.
    expect(() => checkMergeManifest({ remove: [1, 2, 9], outputs: [4] }, present)).not.toThrow();
  });

  it('refuses an output that is missing or is a log file', () => {
    const present = kinds([
      [1, 'log'],
      [2, 'log'],
      [3, 'log'],
    ]);
    corruption(() => checkMergeManifest({ remove: [1], outputs: [5] }, present));
    corruption(() => checkMergeManifest({ remove: [1], outputs: [2] }, present));
  });

  it('refuses a file that is both an input and an output', () => {
    const present = kinds([
      [1, 'merged'],
      [2, 'log'],
    ]);
    corruption(() => checkMergeManifest({ remove: [1], outputs: [1] }, present));
  });

  it('refuses the newest log file as an input, even when merged files are numbered after it', () => {
    const present = kinds([
      [1, 'log'],
      [2, 'log'],
      [3, 'merged'],
    ]);
    corruption(() => checkMergeManifest({ remove: [2], outputs: [3] }, present));
    expect(() => checkMergeManifest({ remove: [1], outputs: [3] }, present)).not.toThrow();
  });

  it('with no log file at all, any input that is not an output is accepted', () => {
    expect(() => checkMergeManifest({ remove: [1], outputs: [2] }, kinds([[2, 'merged']]))).not.toThrow();
  });
});
