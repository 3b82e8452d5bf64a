// Records each finished request exactly once: prices its usage and writes the event in one store call.
// Writes leave the hot path (the response is already complete); shutdown waits for them.
import { bucketLabels } from '../core/time-buckets.js';
import { emptyUsage, type Usage } from '../core/usage.js';
import type { UsageEvent } from '../core/usage-event.js';
import type { Logger } from '../platform/logger.js';
import type { Store } from '../store/types.js';
import { computeCost } from './cost.js';
import type { PricingTable } from './pricing.js';

export interface FinishedRequest {
  requestId: string;
  ts: number;
  keyId: string;
  accountId: string | null;
  model: string;
  endpoint: string;
  stream: boolean;
  status: number;
  durationMs: number;
  usage: Usage | null;
  partial: boolean;
  errorCode: string | null;
}

export class UsageRecorder {
  private readonly pending = new Set<Promise<void>>();
  private readonly unpriced = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly pricing: PricingTable,
    private readonly timezoneOffsetHours: number,
    private readonly log: Logger,
  ) {}

  /** Builds the event (usage priced) without writing it. */
  toEvent(r: FinishedRequest): UsageEvent {
    const usage = r.usage ?? emptyUsage();
    let costNanos = 0;
    if (r.usage) {
      const match = this.pricing.lookup(r.model);
      if (match) costNanos = computeCost(usage, match.price).costNanos;
      else if (!this.unpriced.has(r.model)) {
        this.unpriced.add(r.model);
        this.log.warn({ model: r.model }, 'no price for model; its cost is recorded as 0');
      }
    }
    return { ...r, usage, costNanos, buckets: bucketLabels(r.ts, this.timezoneOffsetHours) };
  }

  /** Writes in the background; failures are logged with the request id (never silently dropped). */
  record(r: FinishedRequest): UsageEvent {
    const event = this.toEvent(r);
    const p = this.store.usage
      .record(event)
      .catch((e: unknown) =>
        this.log.error({ err: (e as Error).message, requestId: event.requestId, usage: event.usage, costNanos: event.costNanos }, 'usage write failed'),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
    return event;
  }

  /** Resolves when every write started so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
