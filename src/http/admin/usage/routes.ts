// /admin/usage: token and cost totals by hour, day or month in the reporting time zone; /admin/usage/series and
// /admin/usage/breakdown (+ .csv): the usage page's charts and table.
import type { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import { nanosToUsd } from '../../../core/money.js';
import type { Granularity } from '../../../core/usage-event.js';
import { buildBreakdown, buildSeries, toCsv, type BreakdownRow } from '../../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { ApiKeyService } from '../../../keys/api-keys.js';
import { routeBuilder } from '../route.js';
import { breakdownQuerySchema, seriesQuerySchema, usageBreakdownView, usageQuerySchema, usageReportView, usageSeriesView } from './schemas.js';
import { nameResolver, readRows, resolveRange, tzLabel } from './support.js';

interface Deps {
  usage: UsageQueries;
  keys: ApiKeyService;
  accounts: AccountService;
  clock: Clock;
  timezoneOffsetHours: number;
}

const SORTERS: Record<string, (a: BreakdownRow, b: BreakdownRow) => number> = {
  '-cost': (a, b) => b.costMicros - a.costMicros || b.requests - a.requests,
  '-requests': (a, b) => b.requests - a.requests,
  '-tokens': (a, b) => b.totalTokens - a.totalTokens,
  label: (a, b) => a.label.localeCompare(b.label),
  '-errorRate': (a, b) => b.errorRate - a.errorRate || b.requests - a.requests,
};

/** What every analytics answer says about its time range. */
function rangeHeader(range: { from: number; to: number; granularity: string }, tz: number) {
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    granularity: range.granularity,
    timezoneOffsetHours: tz,
    tz: tzLabel(tz),
  };
}

async function series(deps: Deps, q: z.output<typeof seriesQuerySchema>) {
  const tz = deps.timezoneOffsetHours;
  const range = resolveRange(q, deps.clock.now(), tz, q.granularity, q.granularity === 'hour' ? 86_400_000 : 30 * 86_400_000);
  const [rows, labelOf] = await Promise.all([readRows(deps.usage, range, q), nameResolver(deps)]);
  const s = buildSeries(rows, { ...range, offsetHours: tz, metric: q.metric, groupBy: q.groupBy, top: q.top }, labelOf);
  return {
    ...rangeHeader(range, tz),
    metric: q.metric,
    unit: q.metric === 'cost' && q.groupBy !== 'tokenType' ? 'usd' : q.metric === 'tokens' || q.groupBy === 'tokenType' ? 'tokens' : 'count',
    ...s,
  };
}

async function breakdown(deps: Deps, q: z.output<typeof breakdownQuerySchema>) {
  const tz = deps.timezoneOffsetHours;
  const range = resolveRange(q, deps.clock.now(), tz);
  const [rows, labelOf] = await Promise.all([readRows(deps.usage, range, q), nameResolver(deps)]);
  const b = buildBreakdown(rows, q.dimension, labelOf);
  const needle = q.q?.toLowerCase();
  const items = (needle ? b.rows.filter((r) => r.label.toLowerCase().includes(needle) || r.id.toLowerCase().includes(needle)) : b.rows).sort(SORTERS[q.sort]);
  return {
    ...rangeHeader(range, tz),
    dimension: q.dimension,
    totals: b.totals,
    total: items.length,
    page: q.page,
    pageSize: q.pageSize,
    items: items.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
    all: items,
  };
}

const route = routeBuilder<Deps>();
const tag = 'usage';

export const usageRoutes = [
  route(
    { method: 'GET', path: '/usage', tag, summary: 'Token and cost totals per bucket', query: usageQuerySchema, response: usageReportView },
    async ({ query: q }, deps) => deps.usage.report({ ...q, granularity: q.granularity as Granularity }, deps.clock.now()),
  ),
  route(
    {
      method: 'GET',
      path: '/usage/series',
      tag,
      summary: 'Usage over time by hour/day/month in the reporting time zone, grouped by model, key, account or token type (top N + other)',
      query: seriesQuerySchema,
      response: usageSeriesView,
    },
    async ({ query }, deps) => series(deps, query),
  ),
  route(
    {
      method: 'GET',
      path: '/usage/series.csv',
      tag,
      summary: 'The same series as CSV (UTF-8 BOM)',
      query: seriesQuerySchema,
      produces: 'text/csv',
    },
    async ({ query, reply }, deps) => {
      const s = await series(deps, query);
      const csv = toCsv(
        ['bucket', 'start', ...s.series.map((x) => x.label)],
        s.buckets.map((b) => [b.bucket, b.start, ...s.series.map((x) => b.values[x.id])]),
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-series-${s.metric}.csv"`)
        .send(csv);
    },
  ),
  route(
    {
      method: 'GET',
      path: '/usage/breakdown',
      tag,
      summary: 'Usage per model, key or account for a range: usage block, share of cost, error and cache-hit rates, totals',
      query: breakdownQuerySchema,
      response: usageBreakdownView,
    },
    async ({ query }, deps) => {
      const { all: _all, ...rest } = await breakdown(deps, query);
      return rest;
    },
  ),
  route(
    {
      method: 'GET',
      path: '/usage/breakdown.csv',
      tag,
      summary: 'The whole breakdown as CSV (UTF-8 BOM)',
      query: breakdownQuerySchema,
      produces: 'text/csv',
    },
    async ({ query, reply }, deps) => {
      const b = await breakdown(deps, query);
      const csv = toCsv(
        [b.dimension, 'id', 'requests', 'errors', 'input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'totalTokens', 'costUsd', 'share'],
        b.all.map((r) => [
          r.label,
          r.id,
          r.requests,
          r.errors,
          r.input,
          r.output,
          r.cacheWrite5m,
          r.cacheWrite1h,
          r.cacheRead,
          r.totalTokens,
          nanosToUsd(r.costMicros * 1000).toFixed(6),
          r.share.toFixed(4),
        ]),
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-by-${b.dimension}.csv"`)
        .send(csv);
    },
  ),
];
