// Turns aggregate rows into the report the admin API and CLI show: one line per bucket plus totals. Pure.
import { RelayError } from '../core/errors.js';
import { nanosToUsd } from '../core/money.js';
import { addRow, emptyBlock, sealBlock, type UsageBlock } from './usage-analytics.js';
import { bucketLabel, bucketStart, labelsBetween } from '../core/time-buckets.js';
import type { Granularity, UsageRow } from '../core/usage-event.js';
import type { Store } from '../store/types.js';

/** A usage block (admin API unit: integer micro-USD) plus the cost in USD for people reading it. */
export type UsageTotals = UsageBlock & { costUsd: number };

export interface UsageReport {
  granularity: Granularity;
  timezoneOffsetHours: number;
  buckets: ({ bucket: string; start: string } & UsageTotals)[];
  totals: UsageTotals;
}

function seal(b: ReturnType<typeof emptyBlock>): UsageTotals {
  return { ...sealBlock(b), costUsd: nanosToUsd(b.costNanos) };
}

/** Every bucket in the range appears, empty ones with zeros, so charts need no gap filling. */
export function buildUsageReport(
  rows: UsageRow[],
  q: { granularity: Granularity; fromBucket: string; toBucket: string; timezoneOffsetHours: number },
): UsageReport {
  const byBucket = new Map<string, ReturnType<typeof emptyBlock>>();
  for (const label of labelsBetween(q.granularity, q.fromBucket, q.toBucket)) byBucket.set(label, emptyBlock());
  const totals = emptyBlock();
  for (const r of rows) {
    let b = byBucket.get(r.bucket);
    if (!b) byBucket.set(r.bucket, (b = emptyBlock()));
    addRow(b, r);
    addRow(totals, r);
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

const DAY = 86_400_000;
/** Default look-back per granularity when `from` is not given. */
const DEFAULT_SPAN: Record<Granularity, number> = { hour: DAY, day: 30 * DAY, month: 365 * DAY };
const APPROX_BUCKET_MS: Record<Granularity, number> = { hour: 3_600_000, day: DAY, month: 28 * DAY };
export const MAX_REPORT_BUCKETS = 5000;

export interface UsageReportQuery {
  granularity: Granularity;
  from?: number;
  to?: number;
  keyId?: string;
  accountId?: string;
  model?: string;
}

/** Reads the aggregates for a time range and filters, and builds the report (admin API and CLI). */
export async function queryUsageReport(store: Pick<Store, 'usage'>, q: UsageReportQuery, now: number, timezoneOffsetHours: number) {
  const g = q.granularity;
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_SPAN[g];
  if (from > to) throw new RelayError('VALIDATION_FAILED', 'from must not be after to', { details: [{ path: 'from', message: 'must not be after to' }] });
  if ((to - from) / APPROX_BUCKET_MS[g] > MAX_REPORT_BUCKETS) {
    throw new RelayError('VALIDATION_FAILED', `The range spans more than ${MAX_REPORT_BUCKETS} ${g} buckets; use a coarser granularity`);
  }
  const fromBucket = bucketLabel(from, g, timezoneOffsetHours);
  const toBucket = bucketLabel(to, g, timezoneOffsetHours);
  const rows = await store.usage.query({ granularity: g, fromBucket, toBucket, keyId: q.keyId, accountId: q.accountId, model: q.model });
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    filters: { keyId: q.keyId ?? null, accountId: q.accountId ?? null, model: q.model ?? null },
    ...buildUsageReport(rows, { granularity: g, fromBucket, toBucket, timezoneOffsetHours }),
  };
}
