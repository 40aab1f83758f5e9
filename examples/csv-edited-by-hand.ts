/**
 * A CSV a person edits. The program keeps prices in `prices.csv`; closing the store writes
 * the file out (`key,value`, one row per key, each value a JSON cell). Then a person opens
 * it in an editor, changes a price and adds a line, as text; the program opens the store
 * again and reads their edits. Edit only while no program has the store open (the store
 * holds a lock file beside the CSV while open).
 *
 * Run: node --import tsx examples/csv-edited-by-hand.ts [folder]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersistentMap } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { runIfMain } from './run-main.js';

export async function main(dir: string) {
  const path = join(dir, 'prices.csv');

  const prices = await PersistentMap.open<string, number>(new CsvBackend({ path }));
  await prices.set('apple', 1.2);
  await prices.set('pear', 0.9);
  await prices.close(); // writes prices.csv and removes the journal

  const written = readFileSync(path, 'utf8');
  // What a person does in a text editor: change a number, add a row at the end.
  const edited = `${written.replace('apple,1.2', 'apple,1.5').trimEnd()}\nplum,2.25\n`;
  writeFileSync(path, edited);

  const reopened = await PersistentMap.open<string, number>(new CsvBackend({ path }));
  try {
    return {
      written,
      apple: await reopened.get('apple'),
      pear: await reopened.get('pear'),
      plum: await reopened.get('plum'),
    };
  } finally {
    await reopened.close();
  }
}

await runIfMain(import.meta.url, main);
