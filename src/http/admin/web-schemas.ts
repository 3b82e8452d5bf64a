// zod schemas of the admin endpoints the web UI added (session, analytics, request log, key-holder page).
// They validate requests and generate /admin/openapi.json, so the document cannot drift from the code.
import { z } from 'zod';
import { timeInput } from './schemas.js';

export const loginSchema = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

export const logoutQuerySchema = z.object({
  all: z.enum(['true', 'false']).optional(),
});

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(256),
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

export const keySearchQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  tag: z.union([z.string().max(50), z.array(z.string().max(50))]).optional(),
  status: z.enum(['all', 'active', 'disabled', 'expired', 'exhausted', 'not_activated', 'deleted']).default('all'),
  usageRange: z.enum(['today', '7d', '30d', 'all']).default('today'),
  sort: z.enum(['name', '-createdAt', '-lastUsedAt', '-cost', '-tightestLimit', 'expiresAt']).default('-createdAt'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const keyBatchCreateSchema = z.object({
  baseName: z.string().trim().min(1).max(90),
  count: z.number().int().min(2).max(500),
  /** Every other field of a single create (limits, tags, expiry …). */
  settings: z.record(z.string(), z.unknown()).default({}),
});

export const keyRenewSchema = z.union([
  z.strictObject({ extendDays: z.number().int().min(1).max(3650) }),
  z.strictObject({ expiresAt: timeInput }),
  z.strictObject({ never: z.literal(true) }),
]);

export const accountSearchQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  kind: z.string().max(50).optional(),
  state: z.enum(['all', 'routable', 'not_routable', 'paused', 'expired']).default('all'),
  sort: z.enum(['priority', 'name', '-lastUsedAt', '-costToday', 'expiresAt']).default('priority'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const accountTestSchema = z.strictObject({
  model: z.string().trim().min(1).max(200).optional(),
  prompt: z.string().max(2000).optional(),
});

export const statsSessionSchema = z.strictObject({
  key: z.string().min(1).max(512),
});

export const statsUsageQuerySchema = z.object({
  from: timeInput.optional(),
  to: timeInput.optional(),
  granularity: z.enum(['hour', 'day', 'month']).default('day'),
});

export const statsRequestsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(50),
});
