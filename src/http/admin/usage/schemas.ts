// zod schemas of the usage routes: totals, series and breakdown (+ CSV), the request log, the overview.
import { z } from 'zod';
import { GRANULARITIES } from '../../../core/usage-event.js';
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
