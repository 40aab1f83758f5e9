/** The child side of ./run-ycsb.ts: one subject in a fresh process, its result as JSON. */
import { answer, childArgument } from '../child-process.js';
import { runYcsbSubject, type YcsbSettings } from './run-subject.js';
import { ycsbSubjects } from './subjects.js';

interface Request {
  readonly subject: string;
  readonly dir: string;
  readonly settings: YcsbSettings;
}

const request = childArgument<Request>();
const subject = ycsbSubjects.find((candidate) => candidate.id === request.subject);
if (!subject) throw new Error(`no YCSB subject ${request.subject}`);
answer(await runYcsbSubject(subject, request.dir, request.settings));
// Native peers may keep the event loop alive after close.
process.exit(0);
