export { kitCases } from './cases/index.js';
export { type Child, type ChildExit, childExecArgv, startChild } from './child-process.js';
export { describeBackend } from './describe-backend.js';
export { rangeArbitrary } from './range-arbitrary.js';
export { runCase } from './run-case.js';
export { tempDir } from './temp-dir.js';
export type {
  BackendKitOptions,
  CaseContext,
  IterationRange,
  KitCase,
  KitMaintenance,
  Mode,
  Subject,
  SubjectOperation,
  Value,
} from './types.js';
