/**
 * The code blocks of every README in the repo, read from the READMEs themselves, so a
 * test can type-check and run exactly what a user copies.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const execFileAsync = promisify(execFile);

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const demoRoot = join(repoRoot, 'apps/demo');

/** Info strings of the blocks that are code; anything else (`text`, `sh`, `sql`) is prose. */
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'mjs']);
/** Written on the line right before a fence, invisible on GitHub: run this block with node. */
export const RUN_MARKER = '<!-- run -->';

export interface ReadmeBlock {
  /** README path relative to the repo root, e.g. `packages/core/README.md`. */
  readonly readme: string;
  /** 1-based line of the first code line (the line after the opening fence). */
  readonly line: number;
  readonly language: 'ts' | 'js';
  readonly code: string;
  /** Marked with {@link RUN_MARKER}: run with node in an empty temp folder, must exit 0. */
  readonly runnable: boolean;
}

/** Every README.md at the root, in packages/* and apps/* (never node_modules). */
export function readmePaths(): string[] {
  const paths = [join(repoRoot, 'README.md')];
  for (const parent of ['packages', 'apps']) {
    for (const name of readdirSync(join(repoRoot, parent)).sort()) {
      const path = join(repoRoot, parent, name, 'README.md');
      if (existsSync(path)) paths.push(path);
    }
  }
  return paths;
}

/** Fenced blocks of one markdown text whose info string names a code language. */
export function extractBlocks(readme: string, text: string): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const info = (open[2] ?? '').toLowerCase();
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end++;
    if (CODE_LANGUAGES.has(info)) {
      blocks.push({
        readme,
        line: i + 2,
        language: info === 'ts' || info === 'typescript' ? 'ts' : 'js',
        code: lines.slice(i + 1, end).join('\n'),
        runnable: (lines[i - 1] ?? '').trim() === RUN_MARKER,
      });
    }
    i = end;
  }
  return blocks;
}

/** Every code block of every README, in a stable order. */
export function readmeBlocks(): ReadmeBlock[] {
  return readmePaths().flatMap((path) => extractBlocks(relative(repoRoot, path), readFileSync(path, 'utf8')));
}

/** `// name.ts` on a block's first line: the block is that file, and its README's other blocks may import it. */
const NAMED_FILE = /^\/\/ ([\w.-]+\.(?:ts|mts|js|mjs))\b/;

/** The README's folder name inside the scratch folder, e.g. `packages-core`. */
export function readmeSlug(block: ReadmeBlock): string {
  return block.readme.replace(/\/?README\.md$/, '').replace(/[^\w]+/g, '-') || 'root';
}

/** A file name for a block: the name its first line gives, else unique by line. */
export function blockFileName(block: ReadmeBlock): string {
  const named = NAMED_FILE.exec(block.code)?.[1];
  if (named) return named;
  return `L${block.line}.${block.language === 'ts' ? 'mts' : 'mjs'}`;
}

/** `--import` for tsx by absolute URL, so node finds it from any working folder. */
export const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/**
 * Runs a program file with node from `cwd`, workspace packages from their TypeScript
 * sources (tsx and the `@stowage/source` condition), so no build is needed first.
 */
export async function runWithNode(
  file: string,
  cwd: string,
  args: readonly string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', tsxLoader, '--conditions=@stowage/source', file, ...args],
      { cwd, timeout: 110_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/**
 * Plain node (no tsx) parses the file: a `.mjs` block must be JavaScript Node itself
 * accepts (tsx would quietly lower `await using` and hide a SyntaxError).
 */
export async function nodeParses(file: string): Promise<string> {
  try {
    await execFileAsync(process.execPath, ['--check', file], { timeout: 30_000 });
    return '';
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? String(error);
  }
}

/** Writes blocks as files in a fresh folder inside apps/demo (so workspace packages resolve). */
export function writeBlocks(blocks: readonly ReadmeBlock[]): { folder: string; files: Map<string, ReadmeBlock> } {
  mkdirSync(join(demoRoot, '.readme-blocks'), { recursive: true });
  const folder = mkdtempSync(join(demoRoot, '.readme-blocks', 'run-'));
  const files = new Map<string, ReadmeBlock>();
  for (const block of blocks) {
    mkdirSync(join(folder, readmeSlug(block)), { recursive: true });
    const file = join(folder, readmeSlug(block), blockFileName(block));
    if (files.has(file)) throw new Error(`${block.readme}:${block.line}: a second block names the file ${file}`);
    writeFileSync(file, `${block.code}\n`);
    files.set(file, block);
  }
  return { folder, files };
}

/**
 * Type-checks every file in ONE program with the repo's compiler settings
 * (tsconfig.base.json: NodeNext, strict, the `@stowage/source` condition), JS included.
 * Returns one line per diagnostic: `README.md:41: TS2304 Cannot find name 'x'`.
 */
export function typeCheck(files: ReadonlyMap<string, ReadmeBlock>): string[] {
  const base = ts.readConfigFile(join(repoRoot, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, demoRoot);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    allowJs: true,
    checkJs: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  const program = ts.createProgram([...files.keys()], options);
  const problems: string[] = [];
  // Only the blocks' own diagnostics (the packages' sources are tsc's job, and checking
  // just the blocks is several times faster), plus the program-wide ones.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const source = program.getSourceFile(file);
      if (!source) return [];
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const block = diagnostic.file ? files.get(resolve(diagnostic.file.fileName)) : undefined;
    if (diagnostic.file && block && diagnostic.start !== undefined) {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      problems.push(`${block.readme}:${block.line + line}: TS${diagnostic.code} ${message}`);
    } else {
      problems.push(`${diagnostic.file?.fileName ?? '(program)'}: TS${diagnostic.code} ${message}`);
    }
  }
  return problems;
}
