// V8 settings for a long-running relay, applied once at start (process-wide).
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Two GC heuristics, both read by V8 at each GC, so setting them after start is safe (they apply from the next GC).
 *
 * Allocation-site pretenuring off. Streams that stay open for seconds or minutes (every agent answer) make V8 decide
 * that the sites allocating per-request objects produce long-lived objects; from then on those objects are allocated
 * straight in the old generation, where the short-lived majority of them is garbage that only full GCs reclaim.
 * Measured (`npm run bench`, JSON 20 KB after 1000 held streams): CPU per request 474 → 241 µs at concurrency 64,
 * p99 at concurrency 1 5.2 → 2.4 ms.
 *
 * The old generation's limit set to twice its live size after each full GC (V8's own factor fell to ~1.3 here). A
 * relay's old generation is small (~26 MB), and V8 counts the memory of each request's Buffers (socket reads, the
 * body) against that limit until a GC frees them. Once load had grown the young generation to its maximum (young
 * GCs, which free those Buffers, become rare), 60 KB bodies used the little room left within ~130 requests, and V8
 * started one full GC after another (`--trace-incremental-marking`: "Start (task)" at 26 of 50 MB), ~10 per second.
 * Measured (JSON 60 KB at concurrency 1 after concurrency-64 runs, 4–6 cycles each): 643–1136 µs per request and
 * p99 6–13 ms before, 310–396 µs and 1.7–2.0 ms after; RSS idle and with 1000 open streams unchanged (113–114 and
 * 145–146 MB).
 */
export function tuneV8(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
  setFlagsFromString('--heap-growing-percent=100');
}
