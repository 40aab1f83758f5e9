/** The counters behind `map.stats()`; the cache supplies evictions and its size. */
export class MapCounters {
  /** Reads answered by the cache (including known absences). */
  hits = 0;
  /** Reads the cache could not answer, which went to the backend. */
  misses = 0;
  /** Backend read calls (get, getMany, a scan counts once). */
  backendReads = 0;
  /** Backend write calls (set, delete, apply, clear, a committed transaction). */
  backendWrites = 0;
  /** Backend calls that failed, and values that could not be decoded. */
  errors = 0;
  /** Entries removed by the TTL sweep. */
  expired = 0;
}
