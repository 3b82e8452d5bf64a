// zod schemas of the usage routes: totals, series and breakdown (+ CSV), the request log, the overview; and their answers.
import { z } from 'zod';
import type { BreakdownRow } from '../../../accounting/usage-analytics.js';
import type { queryUsageReport } from '../../../accounting/usage-report.js';
import { GRANULARITIES, type Granularity } from '../../../core/usage-event.js';
import { isoTime, page, usageBlock } from '../answers.js';
import { timeInput } from '../inputs.js';

export const usageQuerySchema = z.object({
  keyId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  from: timeInput.optional(),
  to: timeInput.optional(),
  granularity: z.enum(GRANULARITIES as [string, ...string[]]).default('day'),
});

const id = z.string().trim().min(1).max(200);

/** Filters shared by the analytics endpoints. */
const usageFilters = {
  from: timeInput.optional(),
  to: timeInput.optional(),
  keyId: id.optional(),
  accountId: id.optional(),
  model: id.optional(),
};

export const SERIES_METRICS = ['cost', 'tokens', 'requests', 'errors'] as const;
export const SERIES_GROUPS = ['none', 'model', 'key', 'account', 'tokenType'] as const;
export const BREAKDOWN_DIMENSIONS = ['model', 'key', 'account'] as const;
export const BREAKDOWN_SORTS = ['-cost', '-requests', '-tokens', 'label', '-errorRate'] as const;

export const seriesQuerySchema = z.object({
  ...usageFilters,
  granularity: z.enum(['hour', 'day', 'month']).default('hour'),
  metric: z.enum(SERIES_METRICS).default('cost'),
  groupBy: z.enum(SERIES_GROUPS).default('none'),
  top: z.coerce.number().int().min(1).max(20).default(8),
});

export const breakdownQuerySchema = z.object({
  ...usageFilters,
  dimension: z.enum(BREAKDOWN_DIMENSIONS).default('model'),
  sort: z.enum(BREAKDOWN_SORTS).default('-cost'),
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(50),
});

export const REQUEST_STATUS_FILTERS = ['success', 'error', '4xx', '429', '5xx'] as const;

export const requestsQuerySchema = z.object({
  from: timeInput.optional(),
  to: timeInput.optional(),
  keyId: id.optional(),
  accountId: id.optional(),
  model: id.optional(),
  status: z.union([z.enum(REQUEST_STATUS_FILTERS), z.string().regex(/^\d{3}$/, 'a status class or an HTTP code')]).optional(),
  minDurationMs: z.coerce.number().int().min(0).optional(),
  requestId: id.optional(),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const overviewQuerySchema = z.object({});

// Answers of the usage, request log and overview routes (RouteSpec.response).

const granularity = z.enum(GRANULARITIES as readonly [Granularity, ...Granularity[]]);

/** A usage block with its cost in USD as well (GET /usage). */
export const usageTotalsView = usageBlock.extend({ costUsd: z.number() });

/** GET /usage: totals per bucket (every bucket of the range, empty ones with zeros) and over the range. */
export const usageReportView = z.object({
  from: isoTime,
  to: isoTime,
  filters: z.object({ keyId: z.string().nullable(), accountId: z.string().nullable(), model: z.string().nullable() }),
  granularity,
  timezoneOffsetHours: z.number(),
  buckets: z.array(z.object({ bucket: z.string(), start: isoTime, ...usageTotalsView.shape })),
  totals: usageTotalsView,
}) satisfies z.ZodType<Awaited<ReturnType<typeof queryUsageReport>>>;

/** What every analytics answer says about its range: the bounds, the bucket size and the reporting time zone. */
export const analyticsRangeView = z.object({ from: isoTime, to: isoTime, granularity, timezoneOffsetHours: z.number(), tz: z.string() });

/** GET /usage/series: one value per series per bucket (every bucket of the range); cost in USD. */
export const usageSeriesView = analyticsRangeView.extend({
  metric: z.enum(SERIES_METRICS),
  unit: z.enum(['usd', 'tokens', 'count']),
  /** The top groups, then `other` when there are more. */
  series: z.array(z.object({ id: z.string(), label: z.string() })),
  /** `values` maps each series id to its value in the bucket. */
  buckets: z.array(z.object({ bucket: z.string(), start: isoTime, values: z.record(z.string(), z.number()) })),
});

/** One row of a usage breakdown: the usage block with its share of the range's cost and rates. */
export const breakdownRowView = usageBlock.extend({
  id: z.string(),
  label: z.string(),
  share: z.number(),
  errorRate: z.number(),
  /** null when there were no prompt tokens. */
  cacheHitRate: z.number().nullable(),
  avgCostMicros: z.number(),
}) satisfies z.ZodType<BreakdownRow>;

/** GET /usage/breakdown: a page of rows for the dimension, and the range's totals. */
export const usageBreakdownView = analyticsRangeView.extend({ dimension: z.enum(BREAKDOWN_DIMENSIONS), totals: usageBlock, ...page(breakdownRowView).shape });

/** One request of the log (no bodies): status, tokens, cost in micro-USD and duration. */
export const requestView = z.object({
  id: z.string(),
  ts: isoTime,
  keyId: z.string(),
  model: z.string(),
  endpoint: z.string(),
  stream: z.boolean(),
  status: z.number(),
  errorCode: z.string().nullable(),
  partial: z.boolean(),
  ...usageBlock.omit({ requests: true, errors: true }).shape,
  durationMs: z.number(),
});

/** A request of the admin log, with the names of its key and account (null when no account served it). */
export const requestLogItemView = requestView.extend({ keyName: z.string(), accountId: z.string().nullable(), accountName: z.string().nullable() });

/** GET /requests: a page of the log, newest first; `nextCursor` continues it (null at the end). */
export const requestLogPage = z.object({ items: z.array(requestLogItemView), nextCursor: z.string().nullable(), scanned: z.number() });

/** An entry of the dashboard's "needs attention" list. */
export const attentionItemView = z.object({
  kind: z.enum(['account_not_routable', 'account_expiring', 'account_expired', 'key_expiring', 'key_limit']),
  targetType: z.enum(['account', 'key']),
  targetId: z.string(),
  name: z.string(),
  message: z.string(),
  until: isoTime.nullable(),
});

/** GET /overview: the dashboard's cards in one answer. */
export const overviewView = z.object({
  now: isoTime,
  timezoneOffsetHours: z.number(),
  tz: z.string(),
  today: usageBlock,
  /** Yesterday up to this time of day. */
  yesterdaySameTime: usageBlock,
  yesterday: usageBlock,
  monthToDate: usageBlock,
  /** Requests and tokens per minute over the last `windowMinutes`. */
  live: z.object({ rpm: z.number(), tpm: z.number(), windowMinutes: z.number() }),
  /** Accounts by state chip (`routable`, `paused`, `expired`, a health state …). */
  accounts: z.object({ total: z.number(), routable: z.number(), byState: z.record(z.string(), z.number()) }),
  keys: z.object({ total: z.number(), active: z.number(), disabled: z.number(), expired: z.number(), expiringSoon: z.number() }),
  /** Today's; null when there were no prompt tokens. */
  cacheHitRate: z.number().nullable(),
  errorRate: z.number(),
  attention: z.array(attentionItemView),
});
