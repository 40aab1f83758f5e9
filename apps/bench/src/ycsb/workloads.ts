/**
 * YCSB's six core workloads (workloads/workloada..f in the YCSB repository), with their
 * operation mixes. D reads the latest records (its request distribution is `latest`
 * where the others use zipfian); E scans 1 to 100 records (uniform length) from a key.
 */
export type WorkloadId = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export type Operation = 'read' | 'update' | 'insert' | 'scan' | 'rmw';
export type Distribution = 'zipfian' | 'uniform';

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  /** Proportion of each operation; they sum to 1. */
  readonly mix: Readonly<Partial<Record<Operation, number>>>;
  /** D's zipfian run reads the newest records first (YCSB's `latest`). */
  readonly latest?: boolean;
}

export const workloads: readonly Workload[] = [
  { id: 'A', title: 'A: update heavy (50% read, 50% update)', mix: { read: 0.5, update: 0.5 } },
  { id: 'B', title: 'B: read mostly (95% read, 5% update)', mix: { read: 0.95, update: 0.05 } },
  { id: 'C', title: 'C: read only', mix: { read: 1 } },
  { id: 'D', title: 'D: read latest (95% read, 5% insert)', mix: { read: 0.95, insert: 0.05 }, latest: true },
  { id: 'E', title: 'E: short ranges (95% scan, 5% insert)', mix: { scan: 0.95, insert: 0.05 } },
  { id: 'F', title: 'F: read-modify-write (50% read, 50% RMW)', mix: { read: 0.5, rmw: 0.5 } },
];

export const operations: readonly Operation[] = ['read', 'update', 'insert', 'scan', 'rmw'];
export const distributions: readonly Distribution[] = ['zipfian', 'uniform'];

/** YCSB's recommended order: inserts (D, E) last, so A, B, C and F see only the loaded records. */
export const runOrder: readonly WorkloadId[] = ['A', 'B', 'C', 'F', 'D', 'E'];

/** Longest scan (YCSB's maxscanlength). */
export const maxScanLength = 100;

/** Ten fields of `fieldLength` characters: YCSB's record shape (10 x 100 bytes by default). */
export const fieldCount = 10;
