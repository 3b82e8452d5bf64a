// The concurrency wait queue, this instance's side. The queue itself lives in the store (LimitsRepo admit with a
// QueuePlan: FIFO across instances); here each waiting request is parked until a slot may be free. A released
// lease publishes a `queue` change event for its key, which reaches every instance; each instance then lets its
// waiters of that key try again, oldest first, and stops at the first one that is still not at the front. A
// bounded poll covers lost events and leases that expired on their own. Waiters that time out or whose client went
// away leave the store's queue at once.
import type { ApiKeyLimits } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { AdmitResult, Store } from '../store/types.js';
import type { RelaySettings } from '../admin/settings-schemas.js';

/** A key's effective queue: how many may wait and for how long. */
export interface QueueConfig {
  maxWaiting: number;
  maxWaitMs: number;
}

/** The key's queue (its own fields over the Settings defaults), or null when its requests do not wait. */
export function queueConfig(l: ApiKeyLimits, d: RelaySettings): QueueConfig | null {
  if (l.concurrencyLimit <= 0) return null;
  if (!(l.concurrentRequestQueueEnabled ?? d.concurrentRequestQueueEnabled)) return null;
  const own = l.concurrentRequestQueueMaxSize ?? 0;
  const maxWaiting = own > 0 ? own : Math.max(d.concurrentRequestQueueMaxSize, Math.ceil(l.concurrencyLimit * d.concurrentRequestQueueMaxSizeMultiplier));
  const ownWait = l.concurrentRequestQueueTimeoutMs ?? 0;
  return { maxWaiting, maxWaitMs: ownWait > 0 ? ownWait : d.concurrentRequestQueueTimeoutMs };
}

/** How a wait ended: the store's answer (admitted or refused by another limit), or no answer in time. */
export type WaitEnd = { kind: 'answer'; result: AdmitResult } | { kind: 'timeout' } | { kind: 'cancelled' } | { kind: 'error'; error: unknown };

interface Waiter {
  keyId: string;
  waiterId: string;
  try: () => Promise<AdmitResult>;
  since: number;
  trying: boolean;
  /** The deadline passed or the client went away while a try was running: decided when it returns. */
  ending: 'timeout' | 'cancelled' | null;
  done: boolean;
  resolve: (end: WaitEnd) => void;
  cleanup: () => void;
}

interface Line {
  waiters: Waiter[];
  pumping: boolean;
  again: boolean;
  poll: NodeJS.Timeout;
}

/** Upper bounds (seconds) of the wait-time histogram. */
export const WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** This instance's queue figures per key, for /metrics. */
export interface LocalQueueFigures {
  entered: number;
  served: number;
  timeouts: number;
  cancelled: number;
  rejected: number;
  /** Non-cumulative counts per WAIT_BUCKETS slot (+Inf last), and the sum in seconds, of every ended wait. */
  waits: number[];
  waitSum: number;
}

export interface WaitQueueOptions {
  /** Fallback re-check of every key with waiters (ms). Default 1000. */
  pollMs?: number;
}

export class WaitQueue {
  private readonly lines = new Map<string, Line>();
  private readonly figures = new Map<string, LocalQueueFigures>();
  private readonly pollMs: number;
  private readonly off: () => void;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: WaitQueueOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.off = store.onChange((e) => {
      if (e.entity === 'queue' && e.id) this.wake(e.id);
      else if (e.entity === '*') for (const id of this.lines.keys()) this.wake(id);
    });
  }

  /**
   * Parks a request that the store answered `queued` until `tryAdmit` (the same waiter's admission) answers
   * otherwise, `maxWaitMs` passes, or `signal` aborts. A timed-out or cancelled waiter leaves the store's queue.
   */
  wait(keyId: string, waiterId: string, tryAdmit: () => Promise<AdmitResult>, opts: { maxWaitMs: number; signal?: AbortSignal }): Promise<WaitEnd> {
    this.count(keyId).entered++;
    return new Promise<WaitEnd>((resolve) => {
      const w: Waiter = { keyId, waiterId, try: tryAdmit, since: this.clock.now(), trying: false, ending: null, done: false, resolve, cleanup: () => {} };
      const stop = (why: 'timeout' | 'cancelled') => {
        if (w.done) return;
        if (w.trying) w.ending = why;
        else this.leave(w, why);
      };
      const timer = setTimeout(() => stop('timeout'), opts.maxWaitMs);
      const onAbort = () => stop('cancelled');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      w.cleanup = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      if (opts.signal?.aborted) {
        this.leave(w, 'cancelled');
        return;
      }
      let line = this.lines.get(keyId);
      if (!line) {
        line = { waiters: [], pumping: false, again: false, poll: setInterval(() => this.wake(keyId), this.pollMs).unref() };
        this.lines.set(keyId, line);
      }
      line.waiters.push(w);
    });
  }

  /** Counts a request refused because the key's queue was full (for /metrics). */
  rejected(keyId: string): void {
    this.count(keyId).rejected++;
  }

  /** Requests waiting on this instance now, per key. */
  waitingNow(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, line] of this.lines) out.set(id, line.waiters.length);
    return out;
  }

  localFigures(): ReadonlyMap<string, LocalQueueFigures> {
    return this.figures;
  }

  /** Lets the key's waiters on this instance try again (a slot may be free). */
  wake(keyId: string): void {
    const line = this.lines.get(keyId);
    if (!line) return;
    if (line.pumping) {
      line.again = true;
      return;
    }
    void this.pump(keyId, line);
  }

  /** Ends every wait (shutdown): they answer as timed out. */
  close(): void {
    this.off();
    for (const line of this.lines.values()) for (const w of [...line.waiters]) this.leave(w, 'timeout');
  }

  /** Oldest first; stops at the first waiter still queued (those behind it are behind it in the store too). */
  private async pump(keyId: string, line: Line): Promise<void> {
    line.pumping = true;
    try {
      do {
        line.again = false;
        for (const w of [...line.waiters]) {
          if (w.done) continue;
          w.trying = true;
          let r: AdmitResult;
          try {
            r = await w.try();
          } catch (error) {
            w.trying = false;
            this.finish(w, { kind: 'error', error });
            // Best effort: the store's entry otherwise expires with its ttl.
            this.store.limits.leaveQueue(w.keyId, w.waiterId, 'cancelled').catch(() => undefined);
            continue;
          }
          w.trying = false;
          if (!r.ok && r.reason === 'queued') {
            if (w.ending) {
              this.leave(w, w.ending);
              continue;
            }
            break;
          }
          this.finish(w, { kind: 'answer', result: r });
          // Refused by another limit: it left the store's queue, so waiters on other instances may move up.
          if (!r.ok) this.store.publish({ entity: 'queue', id: keyId });
        }
      } while (line.again);
    } finally {
      line.pumping = false;
    }
  }

  /** The waiter gives up: out of the local line and of the store's queue; the others may move up. */
  private leave(w: Waiter, why: 'timeout' | 'cancelled'): void {
    this.finish(w, { kind: why });
    this.store.limits
      .leaveQueue(w.keyId, w.waiterId, why)
      .then(() => this.store.publish({ entity: 'queue', id: w.keyId }))
      .catch((e: unknown) => this.log.warn({ keyId: w.keyId, err: (e as Error).message }, 'queue leave failed'));
  }

  private finish(w: Waiter, end: WaitEnd): void {
    if (w.done) return;
    w.done = true;
    w.cleanup();
    const line = this.lines.get(w.keyId);
    if (line) {
      line.waiters = line.waiters.filter((x) => x !== w);
      if (line.waiters.length === 0) {
        clearInterval(line.poll);
        this.lines.delete(w.keyId);
      }
    }
    const f = this.count(w.keyId);
    const admitted = end.kind === 'answer' && end.result.ok;
    if (admitted) f.served++;
    else if (end.kind === 'timeout') f.timeouts++;
    else if (end.kind === 'cancelled') f.cancelled++;
    const sec = (this.clock.now() - w.since) / 1000;
    let i = 0;
    while (i < WAIT_BUCKETS.length && sec > WAIT_BUCKETS[i]) i++;
    f.waits[i]++;
    f.waitSum += sec;
    w.resolve(end);
  }

  private count(keyId: string): LocalQueueFigures {
    let f = this.figures.get(keyId);
    if (!f)
      this.figures.set(
        keyId,
        (f = { entered: 0, served: 0, timeouts: 0, cancelled: 0, rejected: 0, waits: new Array<number>(WAIT_BUCKETS.length + 1).fill(0), waitSum: 0 }),
      );
    return f;
  }
}
