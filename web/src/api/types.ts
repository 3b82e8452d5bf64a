// Shapes of the admin API answers the pages read (see /admin/openapi.json). Fields other engineers add to keys
// and accounts (limits, health) are optional here so the pages render with or without them.

import type { paths } from './schema';

export interface UsageBlock {
  requests: number;
  errors: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  totalTokens: number;
  costMicros: number;
}

export interface Session {
  username: string;
  expiresAt: string;
  csrfToken: string | null;
  mustChangePassword: boolean;
}

export interface SystemInfo {
  version: string;
  now: string;
  startedAt: string;
  uptimeSec: number;
  node: string;
  store: { kind: string; ok: boolean; latencyMs: number | null; error?: string };
  timezoneOffsetHours: number;
  tz: string;
}

export interface AttentionItem {
  kind: string;
  targetType: 'account' | 'key';
  targetId: string;
  name: string;
  message: string;
  until?: string | null;
}

export interface Overview {
  now: string;
  tz: string;
  today: UsageBlock;
  yesterdaySameTime: UsageBlock;
  yesterday: UsageBlock;
  monthToDate: UsageBlock;
  live: { rpm: number; tpm: number; windowMinutes: number };
  accounts: { total: number; routable: number; byState: Record<string, number> };
  keys: { total: number; active: number; disabled: number; expired: number; expiringSoon: number };
  cacheHitRate: number | null;
  errorRate: number;
  attention: AttentionItem[];
}

export interface Series {
  granularity: 'hour' | 'day' | 'month';
  tz: string;
  metric: string;
  unit: 'usd' | 'tokens' | 'count';
  series: { id: string; label: string }[];
  buckets: { bucket: string; start: string; values: Record<string, number> }[];
}

export interface BreakdownRow extends UsageBlock {
  id: string;
  label: string;
  share: number;
  errorRate: number;
  cacheHitRate: number | null;
  avgCostMicros: number;
}

export interface Breakdown {
  tz: string;
  dimension: string;
  totals: UsageBlock;
  total: number;
  page: number;
  pageSize: number;
  items: BreakdownRow[];
}

export interface HealthReason {
  code: string;
  message?: string;
  source?: string;
  httpStatus?: number;
  since?: string;
  until?: string | null;
}

export interface UsageWindowView {
  id: string;
  utilization: number;
  resetsAt: string | null;
  status?: string;
  observedAt?: string;
}

export interface Account {
  id: string;
  kind: string;
  name: string;
  description: string;
  priority: number;
  schedulable: boolean;
  baseUrl: string;
  customBaseUrl: boolean;
  proxy: { type: string; host: string } | null;
  secretHint: string | null;
  shared: boolean;
  groupIds: string[];
  supportedModels: string[];
  modelMapping: Record<string, string>;
  expiresAt: string | null;
  maxConcurrency: number;
  createdAt: string;
  lastUsedAt: string | null;
  state: string;
  routable: boolean;
  today: UsageBlock;
  health?: { state?: string; routable?: boolean; reasons?: HealthReason[] };
  windows?: UsageWindowView[];
  identity?: { email?: string; org?: string; plan?: string } | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface KeyLimitView {
  kind: string;
  limit: number;
  used: number;
  ratio: number;
  resetsAt?: string | null;
  windowMinutes?: number;
}

export interface ApiKeyView {
  id: string;
  name: string;
  description: string;
  tags: string[];
  prefix: string;
  isActive: boolean;
  status: string;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  deletedAt: string | null;
  usage?: UsageBlock;
  /** Each configured cap with its use (the admin key view). */
  limits?: KeyLimitView[];
  tightest?: { kind: string; ratio: number } | null;
  [field: string]: unknown;
}

export interface RequestRow {
  id: string;
  ts: string;
  keyId: string;
  keyName?: string;
  accountId?: string | null;
  accountName?: string | null;
  model: string;
  endpoint: string;
  stream: boolean;
  status: number;
  errorCode: string | null;
  partial: boolean;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  totalTokens: number;
  costMicros: number;
  durationMs: number;
}

export interface Meta {
  accountKinds: { kind: string; protocol: string; oauth: boolean; credentialFields: { name: string; required: boolean }[]; terms: string | null }[];
  /** Known model names per API family ('anthropic', 'openai', 'gemini'). */
  modelsByProtocol?: Record<string, string[]>;
  models: string[];
  clients: { id: string; label: string; note: string }[];
  services?: string[];
  weeklyCostFamilies?: string[];
  tz: string;
  timezoneOffsetHours: number;
}

// Request shapes, generated from /admin/openapi.json (schema.d.ts, `npm run gen:api`): the bodies and queries the
// server's zod schemas accept, so a page cannot send a field the server would refuse.
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of a route, e.g. `BodyOf<'/admin/groups', 'post'>`. */
export type BodyOf<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The query parameters of a route, e.g. `QueryOf<'/admin/usage/series', 'get'>`. */
export type QueryOf<P extends keyof paths, M extends Method> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
