export { CsvBackend } from './csv-backend.js';
export type { CsvBackendOptions, CsvWarning } from './options.js';
