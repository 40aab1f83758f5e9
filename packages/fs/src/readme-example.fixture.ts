// The file helpers an engine needs to start a store: its folder, a sweep of what a crash
// left, a durable log file with a header, group commit, and reading the file back.
import { join } from 'node:path';
import {
  closeQuietly,
  createFileDurable,
  type FileSystem,
  GroupCommitQueue,
  openLockedStore,
  readWholeFile,
  unlinkQuietly,
} from '@stowage/fs';

export async function example(fs: FileSystem, dir: string): Promise<string> {
  // mkdir -p (each new level's folder fsynced), the lock, a sweep of dead processes' temp
  // files, then the engine's recovery; the lock is released if the recovery throws.
  const { lock, log } = await openLockedStore(fs, dir, { origin: 'example' }, async ({ lock }) => ({
    lock,
    log: await createFileDurable(fs, join(dir, '1.log'), new TextEncoder().encode('LOG1\n')),
  }));
  // Sets issued in the same tick share one append and one fsync.
  const queue = new GroupCommitQueue<string, number>({
    async commit(lines) {
      const at = log.append(new TextEncoder().encode(lines.join('')));
      await log.sync();
      return lines.map(() => at);
    },
  });
  await Promise.all(['a=1\n', 'b=2\n', 'c=3\n'].map((line) => queue.enqueue(line)));
  const content = new TextDecoder().decode(readWholeFile(log));
  closeQuietly(log);
  unlinkQuietly(fs, join(dir, 'no-such-file')); // false, no throw
  await lock.release();
  return content; // 'LOG1\na=1\nb=2\nc=3\n', durable
}
