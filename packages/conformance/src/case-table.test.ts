/** The README's case table names exactly the kit's cases, by their literal names. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { kitCases } from './cases/index.js';

it("the README's case table lists every case by its literal name, and nothing else", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('| Case '));
  const rows = table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((row) => row.split('|')[1]!.trim());
  expect(rows).toEqual(kitCases.map((kitCase) => kitCase.name));
});
