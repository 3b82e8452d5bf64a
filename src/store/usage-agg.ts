// Merging usage events into aggregate deltas, so a batch writes each (granularity, bucket, key, account, model) row
// once.
import { GRANULARITIES, type Granularity, type UsageEvent, type UsageRow } from '../core/usage-event.js';

/** An aggregate row being built, with the granularity it belongs to. */
export interface AggDelta extends UsageRow {
  g: Granularity;
}

/**
 * The aggregate deltas of a batch. Consecutive events of one key, account, model and hour (most of a busy batch) add
 * to the rows the previous one found, without building and hashing three row ids again.
 */
export class UsageAggregator {
  readonly rows = new Map<string, AggDelta>();
  private last: { keyId: string; accountId: string; model: string; hour: string; day: string; month: string; deltas: AggDelta[] } | null = null;

  add(e: UsageEvent): void {
    const accountId = e.accountId ?? '';
    const b = e.buckets;
    let l = this.last;
    if (l === null || l.keyId !== e.keyId || l.accountId !== accountId || l.model !== e.model || l.hour !== b.hour || l.day !== b.day || l.month !== b.month) {
      const deltas = GRANULARITIES.map((g) => this.row(g, b[g], e.keyId, accountId, e.model));
      l = this.last = { keyId: e.keyId, accountId, model: e.model, hour: b.hour, day: b.day, month: b.month, deltas };
    }
    const u = e.usage;
    const error = e.status >= 400 ? 1 : 0;
    for (const d of l.deltas) {
      d.requests += 1;
      d.errors += error;
      d.input += u.input;
      d.output += u.output;
      d.cacheWrite5m += u.cacheWrite5m;
      d.cacheWrite1h += u.cacheWrite1h;
      d.cacheRead += u.cacheRead;
      d.costNanos += e.costNanos;
    }
  }

  private row(g: Granularity, bucket: string, keyId: string, accountId: string, model: string): AggDelta {
    // The parts joined by NUL: injective, since no part holds one (recorded model names have no control characters,
    // the rest are the relay's own ids and labels).
    const id = `${g}\0${bucket}\0${keyId}\0${accountId}\0${model}`;
    let d = this.rows.get(id);
    if (!d) {
      d = { g, bucket, keyId, accountId, model, requests: 0, errors: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costNanos: 0 };
      this.rows.set(id, d);
    }
    return d;
  }
}
