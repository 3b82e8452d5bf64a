// zod schemas of the key routes: create and patch bodies (flat limits in the reference project's names), the list
// and search queries, batch create and renew; and their answers (the key view, with limit bars, search rows …).
import { z } from 'zod';
import type { LimitUsage } from '../../../accounting/limit-usage.js';
import { API_KEY_PATTERN, CLIENT_IDS, limitsFromWire, SERVICES, WEEKLY_COST_FAMILIES, type ApiKeyLimits, type WireLimits } from '../../../core/api-key.js';
import type { ApiKeyStatus } from '../../../keys/api-keys.js';
import { isoTime, page, usageBlock } from '../answers.js';
import { description, name, timeInput } from '../inputs.js';

const tags = z.array(z.string().trim().min(1).max(50)).max(50);

const count = z.number().int('must be a whole number').min(0, 'must be 0 (no limit) or more');
const usd = z.number().min(0, 'must be 0 (no limit) or more').max(1_000_000);

/**
 * Key limits, flat, with the reference project's field names and real numbers/booleans (0 = no limit), so
 * operators' habits and exported configurations carry over. Cost limits in USD (kept in nano-USD: splitKeyInput).
 */
export const apiKeyLimitFields = {
  /** Services the key may call; `all` (the reference project's value) or an empty list means every service. */
  permissions: z
    .union([z.literal('all'), z.array(z.enum([...SERVICES, 'all'])).max(SERVICES.length + 1)])
    .transform((v) => (v === 'all' || v.includes('all') ? [] : (v as (typeof SERVICES)[number][])))
    .optional(),
  claudeAccountId: z.string().trim().min(1).max(120).nullable().optional(),
  openaiAccountId: z.string().trim().min(1).max(120).nullable().optional(),
  geminiAccountId: z.string().trim().min(1).max(120).nullable().optional(),
  dedicatedFallback: z.boolean().optional(),
  tokenLimit: count.optional(),
  concurrencyLimit: count.max(10_000).optional(),
  /** At the concurrency limit, wait for a slot instead of a 429; null = the Settings default. */
  concurrentRequestQueueEnabled: z.boolean().nullable().optional(),
  /** Requests that may wait; 0 = the Settings default. */
  concurrentRequestQueueMaxSize: count.max(1000).optional(),
  /** Longest wait in ms; 0 = the Settings default. */
  concurrentRequestQueueTimeoutMs: count
    .max(600_000)
    .refine((v) => v === 0 || v >= 1000, 'must be 0 (the Settings default) or at least 1000 ms')
    .optional(),
  rateLimitWindow: count.max(525_600).optional(),
  rateLimitRequests: count.optional(),
  rateLimitCost: usd.optional(),
  dailyCostLimit: usd.optional(),
  totalCostLimit: usd.optional(),
  weeklyOpusCostLimit: usd.optional(),
  weeklyCostFamily: z.enum(WEEKLY_COST_FAMILIES).optional(),
  weeklyResetDay: z.number().int().min(1, 'must be 1 (Monday) to 7 (Sunday)').max(7, 'must be 1 (Monday) to 7 (Sunday)').optional(),
  weeklyResetHour: z.number().int().min(0, 'must be 0 to 23').max(23, 'must be 0 to 23').optional(),
  enableModelRestriction: z.boolean().optional(),
  modelRestrictionMode: z.enum(['blacklist', 'whitelist']).optional(),
  restrictedModels: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
  enableClientRestriction: z.boolean().optional(),
  allowedClients: z.array(z.enum(CLIENT_IDS)).max(CLIENT_IDS.length).optional(),
  expirationMode: z.enum(['fixed', 'activation']).optional(),
  activationDays: count.max(36_500).optional(),
  activationUnit: z.enum(['hours', 'days']).optional(),
};

const apiKeyBaseFields = {
  description: description.optional(),
  tags: tags.optional(),
  isActive: z.boolean().optional(),
  expiresAt: timeInput.nullable().optional(),
  owner: z.string().trim().max(100).optional(),
};

export const apiKeyCreateSchema = z.strictObject({ name, ...apiKeyBaseFields, ...apiKeyLimitFields });
export const apiKeyPatchSchema = z.strictObject({ name: name.optional(), ...apiKeyBaseFields, ...apiKeyLimitFields });

const LIMIT_FIELD_NAMES = Object.keys(apiKeyLimitFields) as (keyof WireLimits)[];

/** Splits a parsed create/patch body into record fields and the `limits` sub-object the store keeps (USD → nano-USD). */
export function splitKeyInput<T extends Record<string, unknown>>(input: T): { base: Record<string, unknown>; limits: Partial<ApiKeyLimits> } {
  const base: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if ((LIMIT_FIELD_NAMES as string[]).includes(k)) limits[k] = v;
    else base[k] = v;
  }
  return { base, limits: limitsFromWire(limits) };
}

export const listQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  includeDeleted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** The ranges a key search's usage blocks can cover (ending now). */
export const KEY_USAGE_RANGES = ['today', '7d', '30d', 'all'] as const;

export const keySearchQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  tag: z.union([z.string().max(50), z.array(z.string().max(50))]).optional(),
  status: z.enum(['all', 'active', 'disabled', 'expired', 'exhausted', 'not_activated', 'deleted']).default('all'),
  usageRange: z.enum(KEY_USAGE_RANGES).default('today'),
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

// Answers of the key routes (RouteSpec.response).

/** A key's status from its record (the search also shows `exhausted`: keySearchItemView). */
export const keyStatus = z.enum(['active', 'disabled', 'expired', 'deleted', 'not_activated']) satisfies z.ZodType<ApiKeyStatus>;

/**
 * Every limit field of a key as answered: the create/patch bodies' names, all present (0 = no limit, cost limits in
 * USD). Numbers are plain: the bodies' bounds are input rules, and keys imported from the reference project
 * (migrate/crs) keep values outside them. The closed unions reuse the bodies' enums.
 */
const keyLimitFieldsView = {
  /** Services the key may call; empty = every service. */
  permissions: z.array(z.enum(SERVICES)),
  /** Dedicated account id or `group:<groupId>`; null = the shared pool. */
  claudeAccountId: z.string().nullable(),
  openaiAccountId: z.string().nullable(),
  geminiAccountId: z.string().nullable(),
  dedicatedFallback: z.boolean(),
  tokenLimit: z.number(),
  concurrencyLimit: z.number(),
  /** null = the Settings default. */
  concurrentRequestQueueEnabled: z.boolean().nullable(),
  concurrentRequestQueueMaxSize: z.number(),
  concurrentRequestQueueTimeoutMs: z.number(),
  /** Minutes. */
  rateLimitWindow: z.number(),
  rateLimitRequests: z.number(),
  rateLimitCost: z.number(),
  dailyCostLimit: z.number(),
  totalCostLimit: z.number(),
  weeklyOpusCostLimit: z.number(),
  weeklyCostFamily: apiKeyLimitFields.weeklyCostFamily.unwrap(),
  weeklyResetDay: z.number(),
  weeklyResetHour: z.number(),
  enableModelRestriction: z.boolean(),
  modelRestrictionMode: apiKeyLimitFields.modelRestrictionMode.unwrap(),
  restrictedModels: z.array(z.string()),
  enableClientRestriction: z.boolean(),
  allowedClients: z.array(z.enum(CLIENT_IDS)),
  expirationMode: apiKeyLimitFields.expirationMode.unwrap(),
  activationDays: z.number(),
  activationUnit: apiKeyLimitFields.activationUnit.unwrap(),
} satisfies { [K in keyof Omit<WireLimits, 'activatedAt'>]-?: z.ZodType<WireLimits[K]> };

/** A key as the admin API shows it: settings flat, as the create/patch bodies take them; never its secret. */
export const keyView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  owner: z.string(),
  /** First characters of the key, safe to display. */
  prefix: z.string(),
  isActive: z.boolean(),
  status: keyStatus,
  expiresAt: isoTime.nullable(),
  /** When it actually stops working (activation keys: first use + the period); null = never. */
  effectiveExpiresAt: isoTime.nullable(),
  activatedAt: isoTime.nullable(),
  ...keyLimitFieldsView,
  createdAt: isoTime,
  updatedAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  deletedAt: isoTime.nullable(),
});

/** A page of keys (GET /keys). */
export const keyList = page(keyView);

/** POST /keys: the new key with its plaintext `key`, which this answer is the only one to carry. */
export const createdKeyView = keyView.extend({ key: z.string().regex(API_KEY_PATTERN) });

/** A key's wait queue: waiting now, and totals since its counters were last reset. */
export const queueStatsView = z.object({
  waiting: z.number(),
  entered: z.number(),
  served: z.number(),
  timeouts: z.number(),
  cancelled: z.number(),
  rejected: z.number(),
  waitMsTotal: z.number(),
}) satisfies z.ZodType<NonNullable<LimitUsage['queue']>>;

/** The kind of a limit bar. */
export const limitKind = z.enum([
  'tokens_total',
  'cost_total',
  'cost_daily',
  'cost_weekly',
  'window_requests',
  'window_cost',
  'window_tokens',
  'concurrency',
]) satisfies z.ZodType<LimitUsage['kind']>;

/** One configured limit of a key with its use (money in micro-USD). */
export const limitUsageView = z.object({
  kind: limitKind,
  limit: z.number(),
  used: z.number(),
  /** used ÷ limit (may pass 1 by the last request's overshoot). */
  ratio: z.number(),
  resetsAt: isoTime.nullable(),
  windowMinutes: z.number().optional(),
  /** On the concurrency limit, when it has a queue reading. */
  queue: queueStatsView.optional(),
}) satisfies z.ZodType<LimitUsage>;

/** A key with its limit bars, tightest first, and the tightest one (null when it has no counted limit). */
export const keyDetailView = keyView.extend({
  limits: z.array(limitUsageView),
  tightest: z.object({ kind: limitKind, ratio: z.number() }).nullable(),
});

/** A search row: the key with its limit bars and its usage over the range; an active key past a counted cap shows as exhausted. */
export const keySearchItemView = keyDetailView.extend({ status: z.enum([...keyStatus.options, 'exhausted']), usage: usageBlock });

/** GET /keys/search: a page of keys, and the usage range their usage blocks cover. */
export const keySearchList = page(keySearchItemView).extend({ usageRange: z.enum(KEY_USAGE_RANGES) });

/** GET /keys/tags: the tags in use, with how many keys carry each, most used first. */
export const keyTagList = z.object({ items: z.array(z.object({ tag: z.string(), count: z.number() })) });

/** POST /keys/batch-create: each new key's id, name and plaintext, which this answer is the only one to carry. */
export const keyBatchList = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), key: z.string().regex(API_KEY_PATTERN) })) });
