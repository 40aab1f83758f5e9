/** Every case of the kit, in the order they are reported. */
import type { KitCase } from '../types.js';
import { acceptedReadableCases } from './accepted-readable.js';
import { approximateCases } from './approximate.js';
import { concurrencyCases } from './concurrency.js';
import { crashCases } from './crash.js';
import { guaranteeCases } from './guarantees.js';
import { invalidInputCases } from './invalid-input.js';
import { iterationCases } from './iteration.js';
import { keyCases } from './keys.js';
import { lifecycleCases } from './lifecycle.js';
import { maintenanceCases } from './maintenance.js';
import { manyKeysCases } from './many-keys.js';
import { operationCases } from './operations.js';
import { persistenceCases } from './persistence.js';
import { propertyCases } from './property.js';
import { transactionCases } from './transactions.js';
import { ttlCases } from './ttl.js';
import { valueCases } from './values.js';
import { versionCases } from './versions.js';

export const kitCases: readonly KitCase[] = [
  ...operationCases,
  ...keyCases,
  ...valueCases,
  ...iterationCases,
  ...manyKeysCases,
  ...persistenceCases,
  ...concurrencyCases,
  ...propertyCases,
  ...acceptedReadableCases,
  ...lifecycleCases,
  ...invalidInputCases,
  ...guaranteeCases,
  ...ttlCases,
  ...transactionCases,
  ...versionCases,
  ...maintenanceCases,
  ...approximateCases,
  ...crashCases,
];
