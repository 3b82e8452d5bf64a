// Admin payload schemas (zod): one source for validation now and the OpenAPI document later.
import { z } from 'zod';
import { ACCOUNT_KINDS } from '../../providers/registry.js';
import { CLIENT_IDS, limitsFromWire, SERVICES, WEEKLY_COST_FAMILIES, type ApiKeyLimits, type WireLimits } from '../../core/api-key.js';
import { GRANULARITIES } from '../../core/usage-event.js';

/** ISO 8601 or epoch milliseconds → epoch ms. */
export const timeInput = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .trim()
    .min(1)
    .transform((s, ctx) => {
      const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
      if (!Number.isFinite(t)) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
        return z.NEVER;
      }
      return t;
    }),
]);

const name = z.string().trim().min(1, 'is required').max(100);
const description = z.string().max(500);
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

const baseUrl = z.string().trim().max(2048).nullable();
const proxy = z.string().trim().max(2048).nullable();

const modelName = z.string().trim().min(1).max(200);

/** Account settings shared by every kind (create and patch). */
export const accountSettings = {
  name,
  description: description.optional(),
  priority: z.number().int().min(0).max(1000).optional(),
  schedulable: z.boolean().optional(),
  baseUrl: baseUrl.optional(),
  proxy: proxy.optional(),
  shared: z.boolean().optional(),
  groupIds: z.array(z.string().min(1).max(100)).max(100).optional(),
  supportedModels: z.array(modelName).max(500).optional(),
  modelMapping: z.record(modelName, modelName).optional(),
  expiresAt: timeInput.nullable().optional(),
  maxConcurrency: z.number().int().min(0).max(100_000).optional(),
};

export const accountCreateSchema = z.strictObject({
  kind: z.enum(ACCOUNT_KINDS),
  ...accountSettings,
  /** Credential fields for the kind (anthropic-api: apiKey). Checked by the kind's adapter. */
  apiKey: z.string().optional(),
  /** OAuth kinds: an exchanged session (POST /admin/oauth/sessions/:id/exchange) whose tokens the account takes. */
  oauthSessionId: z.string().min(1).max(100).optional(),
  /** gemini-oauth: the Google Cloud project for Code Assist, when the session did not discover one (or to override it). */
  projectId: z.string().trim().min(1).max(200).optional(),
});

export const accountPatchSchema = z.strictObject({
  ...accountSettings,
  name: name.optional(),
  apiKey: z.string().optional(),
});

export const usageQuerySchema = z.object({
  keyId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  from: timeInput.optional(),
  to: timeInput.optional(),
  granularity: z.enum(GRANULARITIES as [string, ...string[]]).default('day'),
});

export const listQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  includeDeleted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
