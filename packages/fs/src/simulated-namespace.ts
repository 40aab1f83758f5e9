/**
 * The folders and names of the simulated disk, in two layers like file content: the
 * durable tree, and the creations, renames and deletions since, each of which becomes
 * durable only by an fsync of its folder (a file fsync does not cover its name), or may
 * be lost or kept by a power cut.
 */
import { posix } from 'node:path';
import type { SimulatedFile } from './simulated-file.js';

export type Entry = { readonly kind: 'file'; readonly file: SimulatedFile } | { readonly kind: 'dir' };

/** One namespace change: a create, unlink, rename (two names at once) or mkdir. */
export interface NamespaceOperation {
  readonly changes: ReadonlyArray<readonly [path: string, entry: Entry | undefined]>;
  readonly folders: ReadonlySet<string>;
}

const ROOT = '/';

export class SimulatedNamespace {
  #durable = new Map<string, Entry>();
  #current = new Map<string, Entry>();
  #pending: NamespaceOperation[] = [];

  get pending(): readonly NamespaceOperation[] {
    return this.#pending;
  }

  get(path: string): Entry | undefined {
    return path === ROOT ? { kind: 'dir' } : this.#current.get(path);
  }

  getDurable(path: string): Entry | undefined {
    return path === ROOT ? { kind: 'dir' } : this.#durable.get(path);
  }

  /** Names in folder `path`, sorted (by UTF-16 code unit, as node's readdir + sort gives). */
  list(path: string, durable = false): string[] {
    const names: string[] = [];
    for (const entryPath of (durable ? this.#durable : this.#current).keys()) {
      // Stryker disable next-line ConditionalExpression: the root is never a key of either layer (get answers it without one)
      if (entryPath !== ROOT && posix.dirname(entryPath) === path) names.push(posix.basename(entryPath));
    }
    return names.sort();
  }

  /** Every file any name points to, in either layer. */
  files(): Set<SimulatedFile> {
    const files = new Set<SimulatedFile>();
    for (const layer of [this.#durable, this.#current]) {
      for (const entry of layer.values()) if (entry.kind === 'file') files.add(entry.file);
    }
    return files;
  }

  change(changes: ReadonlyArray<readonly [string, Entry | undefined]>): void {
    for (const [path, entry] of changes) setOrDelete(this.#current, path, entry);
    this.#pending.push({ changes, folders: new Set(changes.map(([path]) => posix.dirname(path))) });
  }

  /**
   * The pending operations an fsync of `folder` issued now must make durable: those in
   * the folder, plus every earlier one on a name they touch, so names settle in order.
   */
  coveredBy(folder: string): NamespaceOperation[] {
    // Stryker disable next-line ArrayDeclaration: the result only goes to settle, which ignores what is not a pending operation
    const covered: NamespaceOperation[] = [];
    const names = new Set<string>();
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const operation = this.#pending[i]!;
      if (operation.folders.has(folder) || operation.changes.some(([path]) => names.has(path))) {
        covered.unshift(operation);
        for (const [path] of operation.changes) names.add(path);
      }
    }
    return covered;
  }

  /** Makes `operations` durable (those still pending), in the order they happened. */
  settle(operations: readonly NamespaceOperation[]): void {
    const chosen = new Set(operations);
    const remaining: NamespaceOperation[] = [];
    for (const operation of this.#pending) {
      if (chosen.has(operation)) for (const [path, entry] of operation.changes) setOrDelete(this.#durable, path, entry);
      else remaining.push(operation);
    }
    this.#pending = remaining;
  }

  /**
   * Power returns: the durable tree plus the pending operations `keep` chooses, in order.
   * A name whose folder did not survive goes with it. Returns how many were kept.
   */
  restart(keep: (operation: NamespaceOperation) => boolean): number {
    let kept = 0;
    for (const operation of this.#pending) {
      if (!keep(operation)) continue;
      kept++;
      for (const [path, entry] of operation.changes) setOrDelete(this.#durable, path, entry);
    }
    // Stryker disable next-line MethodExpression,ArithmeticOperator,ArrowFunction,StringLiteral: folders are never removed but here, so a name is always inserted after its folder and insertion order already visits folders first; the sort makes that explicit
    const byDepth = [...this.#durable.keys()].sort((a, b) => a.split('/').length - b.split('/').length);
    for (const path of byDepth) {
      if (this.getDurable(posix.dirname(path))?.kind !== 'dir') this.#durable.delete(path);
    }
    this.#current = new Map(this.#durable);
    this.#pending = [];
    return kept;
  }
}

function setOrDelete(map: Map<string, Entry>, path: string, entry: Entry | undefined): void {
  if (entry === undefined) map.delete(path);
  else map.set(path, entry);
}
