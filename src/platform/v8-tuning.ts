// V8 settings for a long-running relay, applied once at start (process-wide).
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Turns off allocation-site pretenuring. Streams that stay open for seconds or minutes (every agent answer) make V8
 * decide that the sites allocating per-request objects produce long-lived objects; from then on those objects are
 * allocated straight in the old generation, where the short-lived majority of them is garbage that only full GCs
 * reclaim. Measured (`npm run bench`, JSON 20 KB after 1000 held streams): CPU per request 474 → 241 µs at
 * concurrency 64, p99 at concurrency 1 5.2 → 2.4 ms. The flag only changes a GC heuristic, so setting it after
 * start is safe; it applies from the next GC.
 */
export function tuneV8(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
