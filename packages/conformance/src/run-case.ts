/**
 * Runs one case in one mode against one engine: builds the context, runs the case, then
 * closes everything the case opened, pass or fail. `describeBackend` calls it from `it`;
 * the self-test calls it directly and expects broken backends to throw.
 */
import type { BackendSupports, StorageBackend } from '@stowage/core';
import { openMap } from './open-map.js';
import { mapSubject, namespacePrefix, namespaceSubject, rawSubject } from './subject.js';
import type { BackendKitOptions, CaseContext, KitCase, Mode, Subject, Value } from './types.js';

export async function runCase(kitCase: KitCase, mode: Mode, kit: BackendKitOptions): Promise<void> {
  const cleanups: (() => unknown)[] = [];
  const probe = await kit.create();
  cleanups.push(() => probe.close());
  let failure: unknown;
  try {
    await kitCase.run(createContext(mode, kit, probe, cleanups));
  } catch (error) {
    failure = error;
  }
  // Newest first, so a map closes before the backend under it is closed directly.
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // A case that closed its store on purpose, or a broken backend, must not hide the verdict.
    }
  }
  if (failure !== undefined) throw failure;
}

/** What a store offers in `mode`: through a namespace the prefix takes its bytes out of every key. */
export function modeSupports(supports: BackendSupports, mode: Mode): BackendSupports {
  if (mode !== 'map-namespace') return supports;
  return { ...supports, maxKeyBytes: supports.maxKeyBytes - Buffer.byteLength(namespacePrefix) };
}

/** `probe` is the first backend of the case: `open` hands it out before creating more. */
function createContext(
  mode: Mode,
  kit: BackendKitOptions,
  probe: StorageBackend,
  cleanups: (() => unknown)[],
): CaseContext {
  let spare: StorageBackend | undefined = probe;
  const createBackend = async (): Promise<StorageBackend> => {
    if (spare) {
      const backend = spare;
      spare = undefined;
      return backend;
    }
    const backend = await kit.create();
    cleanups.push(() => backend.close());
    return backend;
  };
  const wrap = async (backend: StorageBackend): Promise<Subject> => {
    if (mode === 'raw') {
      if (backend.state !== 'open') await backend.open();
      return rawSubject(backend);
    }
    const map = await openMap<Value>(backend, mode);
    cleanups.push(() => map.close());
    if (mode === 'map-namespace') return namespaceSubject(map);
    return mapSubject(map, mode);
  };
  const context: CaseContext = {
    mode,
    supports: modeSupports(probe.supports, mode),
    kit,
    scale: kit.options?.scale ?? 1,
    createBackend,
    open: async () => wrap(await createBackend()),
    openOn: async (backend) => {
      cleanups.push(() => backend.close());
      return wrap(backend);
    },
    reopen: async (subject) => {
      if (!kit.reopen) throw new Error('reopen was not given to describeBackend');
      await subject.close();
      const backend = await kit.reopen(subject.backend);
      cleanups.push(() => backend.close());
      return wrap(backend);
    },
    openMap: async <V>(backend: StorageBackend, options?: Record<string, unknown>) => {
      const map = await openMap<V>(backend, mode, options);
      cleanups.push(() => map.close());
      return map;
    },
    defer: (cleanup) => cleanups.push(cleanup),
  };
  return context;
}
