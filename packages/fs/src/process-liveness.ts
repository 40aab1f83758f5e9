/**
 * Whether a process id names a running process on this machine. Used by the lock (is the
 * holder gone?) and by the temp-file sweep (is the writer of this temp file gone?).
 */
import { errorCode } from './errors.js';

/** True when `pid` is a running process; a zombie counts as running until its parent reaps it. */
export function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) !== 'ESRCH';
  }
}
