/** Every subject, in the order tables list them: references, Stowage engines, then peers. */
import type { Subject } from '../subject.js';
import { awaitedMap } from './awaited-map.js';
import { betterSqlite3 } from './better-sqlite3.js';
import { classicLevel } from './classic-level.js';
import { csvNone, csvRaw } from './csv-engine.js';
import { fsyncProbe } from './fsync-probe.js';
import { keyvSqlite } from './keyv-sqlite.js';
import { lmdb } from './lmdb.js';
import { logBatch, logMap, logNone } from './log-engine.js';
import { mapletLog } from './maplet-engine.js';
import { memoryMapFull, memoryMapLru, memoryMapLruHit, memoryMapLruMiss, memoryRaw } from './memory-engine.js';
import { minimalLog } from './minimal-log.js';
import { plainMap } from './plain-map.js';
import { segmentBatch } from './segment-engine.js';
import { sqliteFull, sqliteMap, sqliteRaw } from './sqlite-engine.js';

export const subjects: readonly Subject[] = [
  plainMap,
  awaitedMap,
  minimalLog,
  fsyncProbe,
  memoryRaw,
  memoryMapFull,
  memoryMapLru,
  memoryMapLruHit,
  memoryMapLruMiss,
  sqliteRaw,
  sqliteFull,
  sqliteMap,
  csvRaw,
  csvNone,
  logNone,
  logBatch,
  logMap,
  mapletLog,
  betterSqlite3,
  keyvSqlite,
  lmdb,
  segmentBatch,
  classicLevel,
];

/**
 * The order subjects run in: the two sides of each target next to each other, so load from
 * other processes, which drifts over minutes, moves both sides alike.
 */
export const runOrder: readonly string[] = [
  'map',
  'map-awaited',
  'memory',
  'pmap-memory-full',
  'pmap-memory-lru',
  'pmap-memory-lru-hit',
  'pmap-memory-lru-miss',
  'better-sqlite3',
  'sqlite',
  'csv-none',
  'sqlite-full',
  'csv',
  'keyv-sqlite',
  'pmap-sqlite',
  'minimal-log',
  'log-none',
  'log-batch',
  'fsync-probe',
  'lmdb',
  'maplet-log',
  'pmap-log',
  'segment-batch',
  'classic-level',
];
