// zod schemas of the account routes: create and patch bodies, the search query, the test and scheduled-test bodies.
import { z } from 'zod';
import { ACCOUNT_KINDS } from '../../../providers/registry.js';
import { description, name, timeInput } from '../inputs.js';

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

export const scheduledTestSchema = z.strictObject({
  enabled: z.boolean(),
  /** Five fields (minute hour day-of-month month day-of-week) or a nickname such as @daily. */
  cron: z.string().trim().min(1).max(100),
  model: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, 'must be a model name (letters, digits and . _ : / @ + -)'),
});
