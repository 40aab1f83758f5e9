/** Every YCSB subject, in the order the tables list them: Stowage engines, then peers. */
import { peerSubjects } from './peer-subjects.js';
import type { YcsbSubject } from './store.js';
import { stowageSubjects } from './stowage-subjects.js';

export const ycsbSubjects: readonly YcsbSubject[] = [...stowageSubjects, ...peerSubjects];
