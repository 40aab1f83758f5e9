/**
 * Prints the functions with the most self time in a `node --cpu-prof` profile, as shares of
 * the busy (non-idle) samples, with file:line so a share can be traced to its code.
 *   node --import tsx src/profile/top-self.ts <file.cpuprofile> [count]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, countText = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: top-self.ts <file.cpuprofile> [count]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)?.callFrame;
  const micros = profile.timeDeltas[i] ?? 0;
  if (!frame || frame.functionName === '(idle)') return;
  const where =
    frame.url === ''
      ? ''
      : ` ${frame.url.replace(/^.*\/(packages|apps|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
  const name = `${frame.functionName || '(anonymous)'}${where}`;
  self.set(name, (self.get(name) ?? 0) + micros);
  busy += micros;
});
console.log(`busy ${(busy / 1000).toFixed(0)} ms`);
for (const [name, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(countText))) {
  console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
}
