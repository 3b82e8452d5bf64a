// The read side of usage accounting, for the admin API and the key-holder pages: aggregate rows, the request log
// (paged, with filters the store cannot index applied while scanning), limit bars, reports and the dashboard's
// figures. Days and months are in the reporting time zone given at construction.
import type { ApiKey } from '../core/api-key.js';
import { bucketLabel, bucketStart } from '../core/time-buckets.js';
import type { Granularity, UsageEvent, UsageQuery, UsageRow } from '../core/usage-event.js';
import type { RequestLogCursor, Store } from '../store/types.js';
export type { RequestLogCursor };
import { readLimitUsage, type LimitUsage } from './limit-usage.js';
import { addRow, blockOf, emptyBlock, sealBlock, type UsageBlock } from './usage-analytics.js';
import { queryUsageReport, type UsageReportQuery } from './usage-report.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOG_SCAN_BATCH = 200;
/** Entries one log page may look at before it answers with what it found and a position to go on from. */
const LOG_SCAN_MAX = 5000;
const LIVE_WINDOW_MS = 5 * 60_000;
const LIVE_SCAN_MAX = 5000;

export type LogFilter = (e: UsageEvent) => boolean;

export interface LogPageQuery {
  keyId?: string;
  /** Oldest entry wanted (epoch ms): the page ends there. */
  from?: number;
  /** Newest entry wanted (epoch ms), when `before` is not given. */
  to?: number;
  /** Continue after this position (the `next` of the page before). */
  before?: RequestLogCursor;
  limit: number;
}

export interface LogPage {
  events: UsageEvent[];
  /** Where the next page starts, or null at the end. */
  next: RequestLogCursor | null;
  scanned: number;
}

/** Key usage over a range ending now: today (day bucket), 7/30 days (day buckets), all (months). */
export type KeyUsageRange = 'today' | '7d' | '30d' | 'all' | string;

export class UsageQueries {
  constructor(
    private readonly store: Pick<Store, 'usage' | 'limits'>,
    private readonly offsetHours: number,
  ) {}

  /** Aggregate rows matching the query. */
  rows(q: UsageQuery): Promise<UsageRow[]> {
    return this.store.usage.query(q);
  }

  /** The key's newest request log entry, or null. */
  async newest(keyId: string): Promise<UsageEvent | null> {
    return (await this.store.usage.recentRequests(1, { keyId }))[0] ?? null;
  }

  /** How much of each configured limit a key has used (none, and no store call, for a key without counted limits). */
  limitUsage(key: ApiKey, now: number): Promise<LimitUsage[]> {
    return readLimitUsage(this.store, key, now, this.offsetHours);
  }

  /** Totals by hour, day or month for a time range and filters. */
  report(q: UsageReportQuery, now: number) {
    return queryUsageReport(this.store, q, now, this.offsetHours);
  }

  /** One page of the request log, newest first, matching `filters` (the key filter is indexed; the others are checked here). */
  async logPage(q: LogPageQuery, filters: readonly LogFilter[] = []): Promise<LogPage> {
    let before: RequestLogCursor | undefined = q.before ?? (q.to !== undefined ? { ts: q.to + 1, requestId: '' } : undefined);
    const events: UsageEvent[] = [];
    let scanned = 0;
    for (;;) {
      const batch = await this.store.usage.recentRequests(LOG_SCAN_BATCH, { keyId: q.keyId, before });
      for (const e of batch) {
        scanned++;
        if (q.from !== undefined && e.ts < q.from) return { events, next: null, scanned };
        before = { ts: e.ts, requestId: e.requestId };
        if (filters.every((f) => f(e))) events.push(e);
        if (events.length >= q.limit) return { events, next: before, scanned };
      }
      if (batch.length < LOG_SCAN_BATCH) return { events, next: null, scanned };
      if (scanned >= LOG_SCAN_MAX) return { events, next: before ?? null, scanned };
    }
  }

  /** A key's usage today, over 7 and 30 days, this month and ever (the key-holder page). */
  async keySummary(keyId: string, now: number) {
    const tz = this.offsetHours;
    const today = bucketLabel(now, 'day', tz);
    const todayStart = bucketStart(today, tz);
    const q = (g: 'day' | 'month', from: string) => this.rows({ granularity: g, fromBucket: from, toBucket: bucketLabel(now, g, tz), keyId });
    const [t, d7, d30, month, all] = await Promise.all([
      q('day', today),
      q('day', bucketLabel(todayStart - 6 * DAY, 'day', tz)),
      q('day', bucketLabel(todayStart - 29 * DAY, 'day', tz)),
      q('month', bucketLabel(now, 'month', tz)),
      q('month', bucketLabel(now - 20 * 365 * DAY, 'month', tz)),
    ]);
    return { today: blockOf(t), d7: blockOf(d7), d30: blockOf(d30), month: blockOf(month), all: blockOf(all) };
  }

  /** Usage per key over a range ending now: `today` (day bucket), `7d`/`30d` (day buckets), `all` (months). */
  async byKey(range: KeyUsageRange, now: number): Promise<Map<string, UsageBlock>> {
    const tz = this.offsetHours;
    const g: Granularity = range === 'all' ? 'month' : 'day';
    const today = bucketLabel(now, 'day', tz);
    const from =
      range === 'all'
        ? bucketLabel(now - 20 * 365 * DAY, 'month', tz)
        : range === 'today'
          ? today
          : bucketLabel(bucketStart(today, tz) - (range === '7d' ? 6 : 29) * DAY, 'day', tz);
    const rows = await this.rows({ granularity: g, fromBucket: from, toBucket: bucketLabel(now, g, tz) });
    const acc = new Map<string, ReturnType<typeof emptyBlock>>();
    for (const r of rows) {
      let b = acc.get(r.keyId);
      if (!b) acc.set(r.keyId, (b = emptyBlock()));
      addRow(b, r);
    }
    return new Map([...acc.entries()].map(([k, b]) => [k, sealBlock(b)]));
  }

  /** The dashboard's usage blocks: today, yesterday up to this time, yesterday, month to date. */
  async dashboard(now: number) {
    const tz = this.offsetHours;
    const day = bucketLabel(now, 'day', tz);
    const yStart = bucketStart(day, tz) - DAY;
    const [today, yesterdaySoFar, yesterday, month] = await Promise.all([
      this.rows({ granularity: 'day', fromBucket: day, toBucket: day }),
      this.rows({ granularity: 'hour', fromBucket: bucketLabel(yStart, 'hour', tz), toBucket: bucketLabel(now - DAY, 'hour', tz) }),
      this.rows({ granularity: 'day', fromBucket: bucketLabel(yStart, 'day', tz), toBucket: bucketLabel(yStart, 'day', tz) }),
      this.rows({ granularity: 'month', fromBucket: bucketLabel(now, 'month', tz), toBucket: bucketLabel(now, 'month', tz) }),
    ]);
    return { today: blockOf(today), yesterdaySameTime: blockOf(yesterdaySoFar), yesterday: blockOf(yesterday), monthToDate: blockOf(month) };
  }

  /** Requests and tokens per minute over the last five minutes, from the request log. */
  async liveRates(now: number) {
    let requests = 0;
    let tokens = 0;
    let before: RequestLogCursor | undefined;
    outer: for (let scanned = 0; scanned < LIVE_SCAN_MAX;) {
      const batch = await this.store.usage.recentRequests(500, { before });
      for (const e of batch) {
        if (e.ts < now - LIVE_WINDOW_MS) break outer;
        requests++;
        tokens += e.usage.input + e.usage.output + e.usage.cacheRead + e.usage.cacheWrite5m + e.usage.cacheWrite1h;
        before = { ts: e.ts, requestId: e.requestId };
      }
      scanned += batch.length;
      if (batch.length < 500) break;
    }
    const minutes = LIVE_WINDOW_MS / 60_000;
    return { rpm: Math.round((requests / minutes) * 10) / 10, tpm: Math.round(tokens / minutes), windowMinutes: minutes };
  }
}
