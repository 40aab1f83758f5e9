// `@stowage/fs/testing`: the simulated disk that cuts the power, for engines' tests.
export type { DiskOperation, FaultCode, FaultOptions } from './disk-faults.js';
export { createRandom, type Random } from './prng.js';
export {
  type PowerCutMode,
  type PowerCutReport,
  SimulatedDisk,
  type SimulatedDiskOptions,
} from './simulated-disk.js';
