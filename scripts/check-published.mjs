#!/usr/bin/env node
/**
 * Proves the published shape, not the workspace: packs every package with `pnpm pack`
 * (which turns `workspace:^` into versions, as publishing does), lints each tarball with
 * publint and attw (esm-only profile), installs the tarballs with npm into a fresh folder
 * outside the repository, and there:
 * - type-checks a TypeScript consumer under node16, nodenext and bundler resolution with
 *   skipLibCheck off;
 * - runs a plain `.mjs` consumer (the quick start without `await using`);
 * - runs the conformance kit as a third-party engine author following the kit's README
 *   (its JSON-file example backend, crash case included, from a `.ts` crash module).
 * Needs the packages built (`pnpm build`; `pnpm test` builds first). Prints
 * `N passed, N failed` last. `--keep` leaves the folder for a look.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = join(root, 'scripts', 'published');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'stowage-published-'));
const tarballs = join(work, 'tarballs');
const consumer = join(work, 'consumer');
const results = [];

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Runs one named check; a failure is reported with its output and counted, the others still run. */
function check(name, body) {
  const started = Date.now();
  try {
    body();
    results.push({ name, ok: true });
    console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false });
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n') || String(error);
    console.log(`✗ ${name}\n${output.trim().split('\n').slice(-60).join('\n')}`);
  }
}

const packages = readdirSync(join(root, 'packages'))
  .map((folder) => ({
    folder,
    manifest: JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')),
  }))
  .filter(({ folder }) => existsSync(join(root, 'packages', folder, 'dist', 'index.js')));

mkdirSync(tarballs, { recursive: true });
const tarballOf = new Map();
for (const { folder, manifest } of packages) {
  check(`pack ${manifest.name}`, () => {
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', folder) });
    const made = readdirSync(tarballs).find((file) => !before.has(file));
    if (!made) throw new Error('pnpm pack made no tarball');
    tarballOf.set(manifest.name, join(tarballs, made));
    const listing = run('tar', ['-tzf', join(tarballs, made)]);
    const shipped = listing.split('\n').filter((line) => /\.test\.|\.fixture\.|\/fixtures\/|\/self-test\//.test(line));
    if (shipped.length > 0) throw new Error(`the tarball ships tests or fixtures:\n${shipped.join('\n')}`);
  });
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
for (const [name, tarball] of tarballOf) {
  check(`publint ${name}`, () => {
    const output = run(bin('publint'), ['run', tarball, '--strict', '--level', 'warning']);
    if (/warning|error/i.test(output.replace(/0 (warnings|errors)/g, ''))) throw new Error(output);
  });
  check(`attw --profile esm-only ${name}`, () => {
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color']);
  });
}

// The consumer: every tarball, and what a user installs beside them, from the registry.
const workspaceRequire = createRequire(join(root, 'packages', 'sqlite', 'package.json'));
const betterSqlite = dirname(workspaceRequire.resolve('better-sqlite3/package.json'));
const betterSqliteVersion = JSON.parse(readFileSync(join(betterSqlite, 'package.json'), 'utf8')).version;
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const files = Object.fromEntries([...tarballOf].map(([name, tarball]) => [name, `file:${tarball}`]));
mkdirSync(consumer, { recursive: true });
writeFileSync(
  join(consumer, 'package.json'),
  `${JSON.stringify(
    {
      name: 'stowage-consumer',
      private: true,
      type: 'module',
      dependencies: files,
      devDependencies: {
        '@types/node': rootManifest.devDependencies['@types/node'],
        tsx: rootManifest.devDependencies.tsx,
        typescript: rootManifest.devDependencies.typescript,
        vitest: rootManifest.devDependencies.vitest,
      },
      // The tarballs name each other by version; point every such name at its tarball, and
      // better-sqlite3 at the version whose compiled binary the workspace already has.
      overrides: { ...files, 'better-sqlite3': betterSqliteVersion },
    },
    null,
    2,
  )}\n`,
);

check('npm install of the tarballs into a fresh folder', () => {
  // Scripts off: better-sqlite3 would compile for ~80 s; its binary is copied from the workspace.
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: consumer });
  const release = join(consumer, 'node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(release, { recursive: true });
  copyFileSync(join(betterSqlite, 'build', 'Release', 'better_sqlite3.node'), join(release, 'better_sqlite3.node'));
});

cpSync(here, consumer, { recursive: true });
const resolutions = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};
for (const [name, compilerOptions] of Object.entries(resolutions)) {
  check(`tsc consumer.ts (${name} resolution, skipLibCheck false)`, () => {
    const config = join(consumer, `tsconfig.${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          target: 'es2022',
          lib: ['es2023', 'esnext.disposable'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    run(join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: consumer });
  });
}

check('node consumer.mjs (plain JavaScript quick start on every engine)', () => {
  run(process.execPath, ['consumer.mjs'], { cwd: consumer });
});

check('the conformance kit as a third-party engine author runs it (crash case included)', () => {
  const author = join(consumer, 'author');
  copyFileSync(
    join(consumer, 'node_modules', '@stowage', 'conformance', 'src', 'examples', 'json-file-backend.ts'),
    join(author, 'json-file-backend.ts'),
  );
  const output = run(join(consumer, 'node_modules', '.bin', 'vitest'), ['run', '--root', author], {
    cwd: consumer,
    env: { ...process.env, STOWAGE_CRASH_KILLS: '2', STOWAGE_KIT_RUNS: '5', FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  // vitest exits non-zero on a failure (execFileSync throws); the summary must also show tests ran.
  const summary = stripVTControlCharacters(output); // colours, if vitest used them anyway
  if (!/Tests\s+\d+ passed/.test(summary) || /Tests\s+\d+ failed|\d+ failed \|/.test(summary)) {
    throw new Error(summary);
  }
});

if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
const failed = results.filter((result) => !result.ok).length;
console.log(`\npublished shape: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
