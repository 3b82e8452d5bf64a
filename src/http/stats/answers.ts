// zod schemas of the key-holder API's answers (/stats/api, RouteSpec.response).
import { z } from 'zod';
import { CLIENT_IDS, SERVICES } from '../../core/api-key.js';
import { isoTime, usageBlock } from '../admin/answers.js';
import { limitUsageView } from '../admin/keys/schemas.js';
import { breakdownRowView, requestView } from '../admin/usage/schemas.js';

/** POST /stats/api/session: a read-only stats token and when it expires. */
export const statsTokenView = z.object({ token: z.string(), expiresAt: isoTime });

/** GET /stats/api/me: everything a key holder may see about their own key (no account, no other key). */
export const ownKeyView = z.object({
  id: z.string(),
  name: z.string(),
  /** The key's status; an active key at or past a counted cap shows as exhausted. */
  status: z.enum(['active', 'disabled', 'expired', 'deleted', 'not_activated', 'exhausted']),
  prefix: z.string(),
  /** When it actually stops working (activation keys: first use + the period); null = never. */
  expiresAt: isoTime.nullable(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  limits: z.array(limitUsageView),
  restrictions: z.object({
    services: z.array(z.enum(SERVICES)),
    models: z.object({ mode: z.enum(['allow', 'deny']), list: z.array(z.string()) }).nullable(),
    clients: z.array(z.enum(CLIENT_IDS)).nullable(),
  }),
  activation: z.object({ mode: z.enum(['fixed', 'activation']), after: z.string().nullable(), activatedAt: isoTime.nullable() }),
  usage: z.object({ today: usageBlock, d7: usageBlock, d30: usageBlock, month: usageBlock, all: usageBlock }),
  timezoneOffsetHours: z.number(),
  tz: z.string(),
});

/** GET /stats/api/me/usage: the key's cost (USD) and tokens by type per bucket, and its per-model table. */
export const ownUsageView = z.object({
  from: isoTime,
  to: isoTime,
  granularity: z.enum(['hour', 'day', 'month']),
  tz: z.string(),
  cost: z.array(z.object({ bucket: z.string(), start: isoTime, usd: z.number() })),
  tokens: z.array(z.object({ bucket: z.string(), start: isoTime, input: z.number(), output: z.number(), cacheWrite: z.number(), cacheRead: z.number() })),
  models: z.array(breakdownRowView),
  totals: usageBlock,
});

/** GET /stats/api/me/requests: the key's recent requests, newest first (no bodies, no account identity). */
export const ownRequestList = z.object({ items: z.array(requestView) });
