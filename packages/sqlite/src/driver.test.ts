import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from './driver.js';
import { SqliteBackend } from './sqlite-backend.js';

const directory = fileURLToPath(new URL('.', import.meta.url));

describe('the driver, typed by the shape the engine uses', () => {
  it('takes a better-sqlite3 Database as it is (checked by the compiler) and works through it', async () => {
    const database: SqliteDatabase = new Database(':memory:');
    const backend = new SqliteBackend({ database, closeDatabase: true });
    await backend.open();
    await backend.set('k', 'v');
    expect(await backend.get('k')).toBe('v');
    await backend.close();
    expect(database.open).toBe(false);
  });

  it('opens with better-sqlite3, whose errors carry the SQLite result code errors.ts maps', () => {
    const database = openDatabase(':memory:', { timeout: 100 });
    let thrown: unknown;
    try {
      database.exec('SELECT * FROM missing_table');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SQLITE_ERROR' });
    database.close();
  });

  it('publishes declarations that import nothing from better-sqlite3, so @types/better-sqlite3 is only a dev dependency', () => {
    // Each file's declarations as tsc would emit them (transpiled alone: no type check needed
    // to see which modules a declaration imports).
    const sources = readdirSync(directory).filter(
      (name) => name.endsWith('.ts') && !/\.(test|fixture)\.ts$/.test(name),
    );
    const declarations = new Map<string, string>();
    for (const name of sources) {
      const { outputText } = ts.transpileDeclaration(readFileSync(join(directory, name), 'utf8'), { fileName: name });
      declarations.set(name.replace(/\.ts$/, '.d.ts'), outputText);
    }
    expect(declarations.get('index.d.ts')).toContain('SqliteBackend');
    expect(declarations.get('options.d.ts')).toContain('SqliteDatabase');
    const importing = [...declarations].filter(([, text]) =>
      /from ['"]better-sqlite3['"]|import\(['"]better-sqlite3['"]\)/.test(text),
    );
    expect(importing.map(([name]) => name)).toEqual([]);
  });
});
