// Turns aggregate rows into the report the admin API and CLI show: one line per bucket plus totals. Pure.
import { nanosToMicros, nanosToUsd } from '../core/money.js';
import { bucketStart, labelsBetween } from '../core/time-buckets.js';
import type { Granularity, UsageRow } from '../core/usage-event.js';

export interface UsageTotals {
  requests: number;
  errors: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  totalTokens: number;
  costMicros: number;
  costUsd: number;
}

export interface UsageReport {
  granularity: Granularity;
  timezoneOffsetHours: number;
  buckets: ({ bucket: string; start: string } & UsageTotals)[];
  totals: UsageTotals;
}

function emptyTotals(): UsageTotals & { costNanos: number } {
  return { requests: 0, errors: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, totalTokens: 0, costMicros: 0, costUsd: 0, costNanos: 0 };
}

function add(t: ReturnType<typeof emptyTotals>, r: UsageRow): void {
  t.requests += r.requests;
  t.errors += r.errors;
  t.input += r.input;
  t.output += r.output;
  t.cacheWrite5m += r.cacheWrite5m;
  t.cacheWrite1h += r.cacheWrite1h;
  t.cacheRead += r.cacheRead;
  t.costNanos += r.costNanos;
}

function seal(t: ReturnType<typeof emptyTotals>): UsageTotals {
  const { costNanos, ...rest } = t;
  return {
    ...rest,
    totalTokens: t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead,
    costMicros: nanosToMicros(costNanos),
    costUsd: nanosToUsd(costNanos),
  };
}

/** Every bucket in the range appears, empty ones with zeros, so charts need no gap filling. */
export function buildUsageReport(
  rows: UsageRow[],
  q: { granularity: Granularity; fromBucket: string; toBucket: string; timezoneOffsetHours: number },
): UsageReport {
  const byBucket = new Map<string, ReturnType<typeof emptyTotals>>();
  for (const label of labelsBetween(q.granularity, q.fromBucket, q.toBucket)) byBucket.set(label, emptyTotals());
  const totals = emptyTotals();
  for (const r of rows) {
    let b = byBucket.get(r.bucket);
    if (!b) byBucket.set(r.bucket, (b = emptyTotals()));
    add(b, r);
    add(totals, r);
  }
  return {
    granularity: q.granularity,
    timezoneOffsetHours: q.timezoneOffsetHours,
    buckets: [...byBucket.entries()].map(([bucket, t]) => ({
      bucket,
      start: new Date(bucketStart(bucket, q.timezoneOffsetHours)).toISOString(),
      ...seal(t),
    })),
    totals: seal(totals),
  };
}
