// A key's usage in the reference project (CRS-REFERENCE.md §6.2: lifetime totals, per-model hourly/daily/monthly
// and all-time hashes, the rated cost total) as this relay's aggregate rows. Month rows add up to the lifetime
// totals (what the months do not cover, e.g. older than the reference kept, goes to the earliest month as model
// "(imported)"), so lifetime figures and cost caps see everything the key used; day and hour rows keep recent detail.
import type { Granularity, UsageRow } from '../../core/usage-event.js';
import type { CrsApiKey, CrsUsageHash } from './read.js';

export const RESIDUAL_MODEL = '(imported)';

export type ImportRow = UsageRow & { granularity: Granularity };

interface Counts {
  requests: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** null when the hash carries no cost. */
  costNanos: number | null;
}

const int = (h: Record<string, string>, ...names: string[]): number => {
  for (const n of names) {
    const v = Number(h[n]);
    if (h[n] !== undefined && Number.isFinite(v)) return Math.max(0, Math.round(v));
  }
  return 0;
};

/** The counters of one usage hash (per-model hashes use short names, lifetime totals `total…` names). */
export function countsOf(h: Record<string, string>): Counts {
  let input = int(h, 'inputTokens', 'totalInputTokens');
  const output = int(h, 'outputTokens', 'totalOutputTokens');
  const cacheRead = int(h, 'cacheReadTokens', 'totalCacheReadTokens');
  const e5m = int(h, 'ephemeral5mTokens', 'totalEphemeral5mTokens');
  const e1h = int(h, 'ephemeral1hTokens', 'totalEphemeral1hTokens');
  const create = Math.max(int(h, 'cacheCreateTokens', 'totalCacheCreateTokens'), e5m + e1h);
  // Records from before the split only have the total: counted as input.
  if (input + output + cacheRead + create === 0) input = int(h, 'allTokens', 'totalAllTokens', 'tokens', 'totalTokens');
  const micro = h.ratedCostMicro ?? h.realCostMicro;
  return {
    requests: int(h, 'requests', 'totalRequests'),
    input,
    output,
    cacheWrite1h: Math.min(e1h, create),
    cacheWrite5m: create - Math.min(e1h, create),
    cacheRead,
    costNanos: micro !== undefined && Number.isFinite(Number(micro)) ? Math.round(Number(micro) * 1000) : null,
  };
}

const FIELDS = ['requests', 'input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;

function row(granularity: Granularity, bucket: string, keyId: string, model: string, c: Counts): ImportRow {
  return {
    granularity,
    bucket,
    keyId,
    accountId: '',
    model: model || RESIDUAL_MODEL,
    errors: 0,
    ...Object.fromEntries(FIELDS.map((f) => [f, c[f]])),
    costNanos: c.costNanos ?? 0,
  } as ImportRow;
}

const sum = (rows: { c: Counts }[]): Counts => {
  const out: Counts = { requests: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costNanos: 0 };
  for (const { c } of rows) {
    for (const f of FIELDS) out[f] += c[f];
    out.costNanos! += c.costNanos ?? 0;
  }
  return out;
};

/**
 * Rows of one key. `fallbackMonth` holds what no month covers when the key has no monthly data at all (its
 * creation month).
 */
export function usageRows(k: CrsApiKey, fallbackMonth: string): ImportRow[] {
  const rows: ImportRow[] = [];
  const of = (g: CrsUsageHash['granularity']) => k.usage.filter((u) => u.granularity === g).map((u) => ({ u, c: countsOf(u.fields) }));
  for (const g of ['hour', 'day'] as const) {
    const all = of(g);
    // Per-model hashes when there are any; the key-level ones otherwise (model unknown).
    const use = all.some((x) => x.u.model) ? all.filter((x) => x.u.model) : all;
    for (const { u, c } of use) rows.push(row(g, u.bucket, k.id, u.model, c));
  }
  const months = of('month');
  const monthRows = months.some((x) => x.u.model) ? months.filter((x) => x.u.model) : months;
  for (const { u, c } of monthRows) rows.push(row('month', u.bucket, k.id, u.model, c));

  // Lifetime: per-model all-time hashes, else the key's totals; the rated cost total wins for cost.
  const alltime = of('alltime');
  const lifetime = alltime.length ? sum(alltime) : k.total ? countsOf(k.total) : sum(monthRows);
  if (k.costTotal !== null) lifetime.costNanos = Math.round(k.costTotal * 1e9);
  else if (!alltime.length && lifetime.costNanos === null) lifetime.costNanos = sum(monthRows).costNanos;
  const covered = sum(monthRows);
  const rest: Counts = { requests: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costNanos: 0 };
  let any = false;
  for (const f of FIELDS) {
    rest[f] = Math.max(0, lifetime[f] - covered[f]);
    any ||= rest[f] > 0;
  }
  rest.costNanos = Math.max(0, (lifetime.costNanos ?? 0) - (covered.costNanos ?? 0));
  // Sub-microdollar differences are rounding, not usage.
  if (rest.costNanos < 1000) rest.costNanos = 0;
  if (any || rest.costNanos > 0) {
    const earliest = monthRows.map((x) => x.u.bucket).sort()[0] ?? fallbackMonth;
    rows.push(row('month', earliest, k.id, RESIDUAL_MODEL, rest));
  }
  return rows;
}
