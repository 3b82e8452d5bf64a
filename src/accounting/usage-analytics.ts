// Analytics over usage aggregate rows: time series grouped by a dimension (top N + "other") and breakdown tables
// with shares and rates. Pure: the admin API reads the rows and names, this file shapes them.
import { nanosToMicros, nanosToUsd } from '../core/money.js';
import { bucketStart, labelsBetween } from '../core/time-buckets.js';
import type { Granularity, UsageRow } from '../core/usage-event.js';

/** The usage block of the admin API: token split, requests, errors and integer micro-USD. */
export interface UsageBlock {
  requests: number;
  errors: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  totalTokens: number;
  costMicros: number;
}

export function emptyBlock(): UsageBlock & { costNanos: number } {
  return { requests: 0, errors: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, totalTokens: 0, costMicros: 0, costNanos: 0 };
}

export function addRow(b: ReturnType<typeof emptyBlock>, r: UsageRow): void {
  b.requests += r.requests;
  b.errors += r.errors;
  b.input += r.input;
  b.output += r.output;
  b.cacheWrite5m += r.cacheWrite5m;
  b.cacheWrite1h += r.cacheWrite1h;
  b.cacheRead += r.cacheRead;
  b.costNanos += r.costNanos;
  b.totalTokens = b.input + b.output + b.cacheWrite5m + b.cacheWrite1h + b.cacheRead;
}

export function sealBlock(b: ReturnType<typeof emptyBlock>): UsageBlock {
  const { costNanos, ...rest } = b;
  return { ...rest, costMicros: nanosToMicros(costNanos) };
}

export function blockOf(rows: readonly UsageRow[]): UsageBlock {
  const b = emptyBlock();
  for (const r of rows) addRow(b, r);
  return sealBlock(b);
}

/** cache-read ÷ every prompt-side token; null when there were none. */
export function cacheHitRate(b: UsageBlock): number | null {
  const prompt = b.input + b.cacheRead + b.cacheWrite5m + b.cacheWrite1h;
  return prompt === 0 ? null : b.cacheRead / prompt;
}

export type SeriesMetric = 'cost' | 'tokens' | 'requests' | 'errors';
export type SeriesGroup = 'none' | 'model' | 'key' | 'account' | 'tokenType';
export type Dimension = 'model' | 'key' | 'account';

const TOKEN_TYPES = [
  { id: 'input', label: 'input', pick: (r: UsageRow) => r.input },
  { id: 'output', label: 'output', pick: (r: UsageRow) => r.output },
  { id: 'cacheWrite', label: 'cache write', pick: (r: UsageRow) => r.cacheWrite5m + r.cacheWrite1h },
  { id: 'cacheRead', label: 'cache read', pick: (r: UsageRow) => r.cacheRead },
] as const;

function metricOf(r: UsageRow, m: SeriesMetric): number {
  switch (m) {
    case 'cost':
      return r.costNanos;
    case 'tokens':
      return r.input + r.output + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
    case 'requests':
      return r.requests;
    case 'errors':
      return r.errors;
  }
}

export function dimensionOf(r: UsageRow, d: Dimension): string {
  return d === 'model' ? r.model : d === 'key' ? r.keyId : r.accountId;
}

export interface SeriesResult {
  series: { id: string; label: string }[];
  buckets: { bucket: string; start: string; values: Record<string, number> }[];
}

/**
 * Buckets every row by time and by `groupBy` (the `top` largest groups over the range, the rest as "other").
 * Cost values are USD; every bucket in the range is present.
 */
export function buildSeries(
  rows: readonly UsageRow[],
  q: { granularity: Granularity; fromBucket: string; toBucket: string; offsetHours: number; metric: SeriesMetric; groupBy: SeriesGroup; top: number },
  labelOf: (dimension: Dimension, id: string) => string,
): SeriesResult {
  const labels = labelsBetween(q.granularity, q.fromBucket, q.toBucket);
  const perBucket = new Map<string, Map<string, number>>(labels.map((l) => [l, new Map()]));
  const add = (bucket: string, id: string, v: number) => {
    let m = perBucket.get(bucket);
    if (!m) perBucket.set(bucket, (m = new Map()));
    m.set(id, (m.get(id) ?? 0) + v);
  };
  let series: { id: string; label: string }[];
  if (q.groupBy === 'tokenType') {
    for (const r of rows) for (const t of TOKEN_TYPES) add(r.bucket, t.id, t.pick(r));
    series = TOKEN_TYPES.map((t) => ({ id: t.id, label: t.label }));
  } else if (q.groupBy === 'none') {
    for (const r of rows) add(r.bucket, 'total', metricOf(r, q.metric));
    series = [{ id: 'total', label: 'total' }];
  } else {
    const dim = q.groupBy;
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(dimensionOf(r, dim), (totals.get(dimensionOf(r, dim)) ?? 0) + metricOf(r, q.metric));
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, q.top)
      .map(([id]) => id);
    const keep = new Set(top);
    for (const r of rows) {
      const id = dimensionOf(r, dim);
      add(r.bucket, keep.has(id) ? id : 'other', metricOf(r, q.metric));
    }
    series = top.map((id) => ({ id, label: labelOf(dim, id) }));
    if (totals.size > top.length) series.push({ id: 'other', label: 'other' });
  }
  const scale = q.metric === 'cost' && q.groupBy !== 'tokenType' ? (n: number) => Math.round(nanosToUsd(n) * 1e6) / 1e6 : (n: number) => n;
  return {
    series,
    buckets: [...perBucket.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([bucket, m]) => ({
        bucket,
        start: new Date(bucketStart(bucket, q.offsetHours)).toISOString(),
        values: Object.fromEntries(series.map((s) => [s.id, scale(m.get(s.id) ?? 0)])),
      })),
  };
}

export interface BreakdownRow extends UsageBlock {
  id: string;
  label: string;
  /** Share of the range's cost (0–1). */
  share: number;
  errorRate: number;
  cacheHitRate: number | null;
  avgCostMicros: number;
}

/** One row per dimension value, with shares of cost; unsorted. */
export function buildBreakdown(
  rows: readonly UsageRow[],
  dimension: Dimension,
  labelOf: (d: Dimension, id: string) => string,
): { rows: BreakdownRow[]; totals: UsageBlock } {
  const groups = new Map<string, ReturnType<typeof emptyBlock>>();
  const totals = emptyBlock();
  for (const r of rows) {
    const id = dimensionOf(r, dimension);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = emptyBlock()));
    addRow(g, r);
    addRow(totals, r);
  }
  const totalCost = totals.costNanos;
  const out: BreakdownRow[] = [...groups.entries()].map(([id, g]) => {
    const b = sealBlock(g);
    return {
      id,
      label: labelOf(dimension, id),
      ...b,
      share: totalCost > 0 ? g.costNanos / totalCost : 0,
      errorRate: b.requests > 0 ? b.errors / b.requests : 0,
      cacheHitRate: cacheHitRate(b),
      avgCostMicros: b.requests > 0 ? Math.round(b.costMicros / b.requests) : 0,
    };
  });
  return { rows: out, totals: sealBlock(totals) };
}

/**
 * CSV with a UTF-8 BOM (Excel), quoting only where needed. Text cells that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR; model names, key and account names are client or admin text) get a leading
 * `'` (OWASP CSV injection); numbers stay numbers.
 */
export function toCsv(header: readonly string[], lines: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n\t]/.test(s) || s.startsWith("'") ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + [header, ...lines].map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}
