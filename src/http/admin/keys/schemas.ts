// zod schemas of the key routes: create and patch bodies (flat limits in the reference project's names), the list
// and search queries, batch create and renew.
import { z } from 'zod';
import { CLIENT_IDS, limitsFromWire, SERVICES, WEEKLY_COST_FAMILIES, type ApiKeyLimits, type WireLimits } from '../../../core/api-key.js';
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
