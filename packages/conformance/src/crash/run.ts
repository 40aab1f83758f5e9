/**
 * The parent side of a crash round: forks `crash/child` on the engine's module, lets it
 * write, SIGKILLs it at a random moment, and returns every announced write and which of
 * them were acknowledged. STOWAGE_CRASH_KILLS sets how many rounds a case runs.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EncodedValue } from '@stowage/core';
import { childExecArgv } from '../child-process.js';
import type { CrashChildMode, CrashMessage, CrashOperation } from './protocol.js';

export interface CrashRound {
  /** Every announced write, in the order announced. */
  readonly intents: { readonly id: number; readonly operations: readonly CrashOperation[] }[];
  readonly acknowledged: ReadonlySet<number>;
}

export interface CrashRoundOptions {
  readonly module: string;
  readonly exportName: string;
  readonly directory: string;
  readonly seed: number;
  readonly firstCounter: number;
  /** Run the module's maintenance export (this name) over and over while writing. */
  readonly maintenanceExportName?: string;
}

/** Where the engine's module is; only the child loads it. */
export interface CrashStore {
  readonly module: string;
  readonly exportName: string;
  readonly directory: string;
}

function forkChild(mode: CrashChildMode, store: CrashStore, extra: readonly string[]) {
  return fork(childScript, [mode, store.module, store.exportName, store.directory, ...extra], {
    execArgv: childExecArgv(store.module),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Values are bytes as well as text: the advanced serialization carries Uint8Array as it is.
    serialization: 'advanced',
  });
}

/**
 * Opens the store in a child (`touch`: after writing one key and reopening) and returns
 * every entry it holds. The parent never loads the engine's module itself.
 */
export function dumpCrashStore(store: CrashStore, mode: 'dump' | 'touch' = 'dump'): Promise<Map<string, EncodedValue>> {
  return new Promise((resolve, reject) => {
    const child = forkChild(mode, store, ['1', '1']);
    let stderr = '';
    let entries: Map<string, EncodedValue> | undefined;
    let failure: string | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('message', (message: CrashMessage) => {
      if (message.type === 'dump') entries = new Map(message.entries as [string, EncodedValue][]);
      else if (message.type === 'error') failure = message.message;
    });
    child.on('error', (error) => {
      failure ??= String(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (entries && code === 0) resolve(entries);
      else {
        const why = failure ?? `exit ${code ?? signal}; stderr: ${stderr}`;
        reject(new Error(`reopening the store after the kill (${mode}) failed: ${why}`));
      }
    });
  });
}

export const crashKills = () => Number(process.env.STOWAGE_CRASH_KILLS ?? 5) || 5;

/** The child script next to this file, as TypeScript from source or JavaScript from dist. */
const childScript = fileURLToPath(
  new URL(`./child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

export function runCrashRound(options: CrashRoundOptions): Promise<CrashRound> {
  const intents: CrashRound['intents'] = [];
  const acknowledged = new Set<number>();
  let random = options.seed >>> 0 || 1;
  const next = () => {
    random = (Math.imul(random, 1_664_525) + 1_013_904_223) >>> 0;
    return random / 4_294_967_296;
  };
  const killAfterAcks = 3 + Math.floor(next() * 120);
  const extraDelay = Math.floor(next() * 25);
  return new Promise((resolve, reject) => {
    const maintain = options.maintenanceExportName !== undefined;
    const child = forkChild(maintain ? 'maintain' : 'write', options, [
      String(options.seed),
      String(options.firstCounter),
      ...(maintain ? [options.maintenanceExportName!] : []),
    ]);
    let stderr = '';
    let failure: Error | undefined;
    let killing = false;
    let exited = false;
    let disconnected = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const kill = () => {
      if (killing) return;
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), extraDelay);
    };
    const watchdog = setTimeout(() => {
      failure ??= new Error(`the crash child acknowledged ${acknowledged.size} writes in 60 s; stderr: ${stderr}`);
      child.kill('SIGKILL');
    }, 60_000);
    const settle = () => {
      if (!exited || !disconnected) return;
      clearTimeout(watchdog);
      if (failure) reject(failure);
      else if (!killing) reject(new Error(`the crash child exited on its own; stderr: ${stderr}`));
      else resolve({ intents, acknowledged });
    };
    child.on('message', (message: CrashMessage) => {
      if (message.type === 'intent') intents.push({ id: message.id, operations: message.operations });
      else if (message.type === 'ack') {
        acknowledged.add(message.id);
        if (acknowledged.size >= killAfterAcks) kill();
      } else if (message.type === 'error') {
        failure ??= new Error(`the crash child failed: ${message.message}`);
      }
    });
    child.on('error', (error) => {
      failure ??= error;
    });
    child.on('disconnect', () => {
      disconnected = true;
      settle();
    });
    child.on('exit', () => {
      exited = true;
      if (!child.connected) disconnected = true;
      settle();
    });
  });
}
