/**
 * A crash module that marks the process that imports it. The kit must load it only in its
 * child processes: a published kit importing it in the test process would need a loader
 * for TypeScript there, which an engine author's vitest run does not give Node.
 */
export { createBackend } from '../examples/json-file-crash.fixture.js';

(globalThis as { stowageCrashModuleImported?: boolean }).stowageCrashModuleImported = true;
