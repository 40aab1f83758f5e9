/**
 * The conformance kit in exact mode: the maplet in front of the log (persistent, with the
 * kill -9 crash cases). The kit runs unchanged: every answer must be exact, although reads
 * of absent keys never reach the inner engine. (One inner engine only: the kit takes about
 * a minute per engine on a busy CI machine; exact-mode.test.ts covers the memory engine.)
 */
import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { LogBackend } from './fixtures/inner-engines.fixture.js';
import { MapletBackend } from './maplet-backend.js';

const directory = tempDir('stowage-maplet-kit');
const logDirs = new WeakMap<MapletBackend, string>();

function overLog(dir: string): MapletBackend {
  // A tiny first table, so the kit's heavier cases also grow the maplet many times.
  const backend = new MapletBackend({ inner: new LogBackend({ dir }), maplet: { capacity: 64 } });
  logDirs.set(backend, dir);
  return backend;
}

describeBackend({
  name: 'maplet (exact, over log)',
  create: () => overLog(directory()),
  reopen: (previous) => overLog(logDirs.get(previous as MapletBackend)!),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend.fixture.ts', import.meta.url)) },
  // The maplet's background work is a resize: rebuilt from the inner keys, sized to their count.
  maintenance: {
    run: (backend) => (backend as MapletBackend).rebuild(),
  },
  // The heavy cases at a quarter of their size by default (25,000 keys instead of 100,000) to
  // keep the package's tests near a minute; STOWAGE_MAPLET_KIT_SCALE=1 runs them whole.
  options: { scale: Number(process.env.STOWAGE_MAPLET_KIT_SCALE ?? 0.25) },
});
