// Admin payload schemas (zod): one source for validation now and the OpenAPI document later.
import { z } from 'zod';
import { ACCOUNT_KINDS } from '../../core/account.js';
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

export const apiKeyCreateSchema = z.strictObject({
  name,
  description: description.optional(),
  tags: tags.optional(),
  isActive: z.boolean().optional(),
  expiresAt: timeInput.nullable().optional(),
});

export const apiKeyPatchSchema = z.strictObject({
  name: name.optional(),
  description: description.optional(),
  tags: tags.optional(),
  isActive: z.boolean().optional(),
  expiresAt: timeInput.nullable().optional(),
});

const baseUrl = z.string().trim().max(2048).nullable();
const proxy = z.string().trim().max(2048).nullable();

const modelName = z.string().trim().min(1).max(200);

/** Account settings shared by every kind (create and patch). */
const accountSettings = {
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
  includeDeleted: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
