// zod schemas of the account routes: create and patch bodies, the search query, the test and scheduled-test bodies,
// and their answers.
import { z } from 'zod';
import { ACCOUNT_KINDS } from '../../../providers/registry.js';
import type { HealthCode } from '../../../scheduling/health-policy.js';
import type { Exclusion } from '../../../scheduling/selector.js';
import { healthReasonView, isoTime, page, usageBlock, usageWindowView } from '../answers.js';
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

// ---- Answers ----

/** Health codes of a reason (HealthCode); the list must name every member of the union (checked below). */
const HEALTH_CODES = [
  'rate_limited',
  'throttled',
  'overloaded',
  'unauthorized',
  'blocked',
  'forbidden',
  'server_error',
  'network',
  'client_error',
  'usage_paused',
] as const satisfies readonly HealthCode[];
type MissingHealthCode = Exclude<HealthCode, (typeof HEALTH_CODES)[number]>;
const _allHealthCodes: [MissingHealthCode] extends [never] ? true : MissingHealthCode = true;
void _allHealthCodes;

/** Why routability() finds an account not routable: exclusion() without the model check and the key's scope. */
const NOT_ROUTABLE_BECAUSE = ['paused', 'expired', 'at_capacity', 'unhealthy'] as const satisfies readonly Exclusion['code'][];

/** Who an account's credentials belong to (OAuth kinds), as far as known. */
export const accountIdentityView = z.object({ email: z.string().optional(), org: z.string().optional(), plan: z.string().optional() });

/** An account's settings as AccountService.view shows them (never a secret: only its hint). */
export const accountView = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  description: z.string(),
  priority: z.number(),
  schedulable: z.boolean(),
  baseUrl: z.string(),
  customBaseUrl: z.boolean(),
  proxy: z.object({ type: z.string(), host: z.string() }).nullable(),
  secretHint: z.string().nullable(),
  identity: accountIdentityView.nullable(),
  terms: z.string().nullable(),
  shared: z.boolean(),
  groupIds: z.array(z.string()),
  supportedModels: z.array(z.string()),
  modelMapping: z.record(z.string(), z.string()),
  expiresAt: isoTime.nullable(),
  maxConcurrency: z.number(),
  createdAt: isoTime,
  updatedAt: isoTime,
  lastUsedAt: isoTime.nullable(),
});

/** An account's health now: its state, the reasons in force, and whether (and why not) it is routable. */
export const accountHealthView = z.object({
  state: z.enum(['healthy', ...HEALTH_CODES]),
  routable: z.boolean(),
  notRoutableBecause: z.enum(NOT_ROUTABLE_BECAUSE).nullable(),
  availableAt: isoTime.nullable(),
  reasons: z.array(healthReasonView),
  inFlight: z.number(),
});

/** An account with its live health and its last observed usage windows (list, detail, create, edit). */
export const accountLiveView = accountView.extend({ health: accountHealthView, windows: z.array(usageWindowView) });

/** Every account: `{ items, total }`. */
export const accountList = z.object({ items: z.array(accountLiveView), total: z.number() });

/** A search hit: the account with its state chip (`routable`, or why not) and today's usage. */
export const accountSearchItemView = accountLiveView.extend({
  state: z.enum(['routable', 'paused', 'expired', 'at_capacity', 'healthy', ...HEALTH_CODES]),
  routable: z.boolean(),
  today: usageBlock,
});

/** A page of the account search, with `counts` (all, routable, not_routable and per not-routable state). */
export const accountSearchList = page(accountSearchItemView).extend({
  counts: z.object({ all: z.number(), routable: z.number(), not_routable: z.number() }).catchall(z.number()),
});

/** The outcome of a one-request test: HTTP status (0 when none came), latency, model, reply text or error. */
export const accountTestView = z.object({
  ok: z.boolean(),
  status: z.number(),
  latencyMs: z.number(),
  model: z.string(),
  text: z.string().nullable(),
  error: z.string().nullable(),
});

/** A recorded test: the outcome with its time and what started it. */
export const testRecordView = accountTestView.extend({ at: isoTime, trigger: z.enum(['manual', 'scheduled']) });

/** One change of an account's health reasons (state `ok` when none is left, else the first reason's code). */
export const healthChangeView = z.object({
  at: isoTime,
  state: z.string(),
  reasons: z.array(z.object({ code: z.string(), message: z.string(), httpStatus: z.number().optional(), source: z.string(), until: isoTime.nullable() })),
});

/** The health changes of the last days (newest first) and the last test. */
export const healthHistoryView = z.object({ items: z.array(healthChangeView), lastTest: testRecordView.nullable() });

/** One run of a scheduled test (its error without credentials). */
export const scheduledRunView = z.object({
  at: isoTime,
  ok: z.boolean(),
  status: z.number(),
  durationMs: z.number(),
  model: z.string(),
  error: z.string().nullable(),
});

/** An account's scheduled test (the proposal when none is set) with its next run and its last runs. */
export const scheduledTestView = z.object({
  enabled: z.boolean(),
  cron: z.string(),
  model: z.string(),
  defaultModel: z.string().nullable(),
  timezoneOffsetHours: z.number(),
  nextRunAt: isoTime.nullable(),
  updatedAt: isoTime.nullable(),
  updatedBy: z.string().nullable(),
  history: z.array(scheduledRunView),
});
