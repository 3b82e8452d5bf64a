// The key-holder API at /stats/api (public, rate-limited): a key is exchanged, in a POST body, for a short-lived
// read-only token; /me answers to that token or to the relay key itself (x-api-key / Authorization), so a Claude
// Code status line can call it. Nothing here reveals accounts, other keys or prices per account.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withKeyDefaults, type ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import { bucketLabel, bucketStart } from '../../core/time-buckets.js';
import { readLimitUsage } from '../../accounting/limit-usage.js';
import { blockOf, buildBreakdown, buildSeries } from '../../accounting/usage-analytics.js';
import type { Logger } from '../../platform/logger.js';
import type { ApiKeyService } from '../../services/api-keys.js';
import type { Store } from '../../store/types.js';
import { resolveRange, tzLabel } from '../admin/analytics-support.js';
import { apiKeyView } from '../admin/api-keys.js';
import { useAdminErrors } from '../admin/errors.js';
import { readLogPage, requestItem } from '../admin/requests.js';
import type { RouteDoc } from '../admin/route-docs.js';
import { parseInput } from '../admin/validate.js';
import { statsRequestsQuerySchema, statsSessionSchema, statsUsageQuerySchema } from '../admin/web-schemas.js';
import { PUBLIC_BODY_LIMIT } from '../web-auth.js';
import { WindowLimiter } from './rate-limit.js';

export interface StatsDeps {
  store: Store;
  keys: ApiKeyService;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  requestMaxBytes: number;
}

const TOKEN_PREFIX = 'st_';
const TOKEN_TTL_MS = 60 * 60_000;
const KV = 'statssession:';
const DAY = 86_400_000;
const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** What a key holder may know of their key's settings: no bound account, no other key. */
function ownSettings(k: ApiKey) {
  const l = withKeyDefaults(k).limits;
  return {
    restrictions: {
      services: l.permissions,
      models: l.enableModelRestriction ? { mode: l.modelRestrictionMode === 'whitelist' ? 'allow' : 'deny', list: l.restrictedModels } : null,
      clients: l.enableClientRestriction ? l.allowedClients : null,
    },
    activation: { mode: l.expirationMode, after: l.expirationMode === 'activation' ? `${l.activationDays} ${l.activationUnit}` : null, activatedAt: l.activatedAt === null ? null : new Date(l.activatedAt).toISOString() },
  };
}

async function resolveKey(request: FastifyRequest, deps: StatsDeps): Promise<ApiKey> {
  const auth = request.headers.authorization;
  const bearer = auth ? /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() : undefined;
  if (bearer?.startsWith(TOKEN_PREFIX)) {
    const keyId = await deps.store.kv.get(KV + sha(bearer));
    if (!keyId) throw new RelayError('KEY_INVALID', 'The lookup session has expired; enter the key again');
    const k = await deps.store.apiKeys.get(keyId);
    if (!k || k.deletedAt !== null) throw new RelayError('KEY_INVALID', 'Key not recognised');
    return k;
  }
  const header = request.headers['x-api-key'];
  const presented = (Array.isArray(header) ? header[0] : header) ?? bearer;
  return deps.keys.authenticate(presented);
}

async function usageSummary(store: Store, keyId: string, now: number, tz: number) {
  const today = bucketLabel(now, 'day', tz);
  const todayStart = bucketStart(today, tz);
  const q = (g: 'day' | 'month', from: string) => store.usage.query({ granularity: g, fromBucket: from, toBucket: bucketLabel(now, g, tz), keyId });
  const thisMonth = bucketLabel(now, 'month', tz);
  const [t, d7, d30, month, all] = await Promise.all([
    q('day', today),
    q('day', bucketLabel(todayStart - 6 * DAY, 'day', tz)),
    q('day', bucketLabel(todayStart - 29 * DAY, 'day', tz)),
    q('month', thisMonth),
    q('month', bucketLabel(now - 20 * 365 * DAY, 'month', tz)),
  ]);
  return { today: blockOf(t), d7: blockOf(d7), d30: blockOf(d30), month: blockOf(month), all: blockOf(all) };
}

/** Everything a key holder may see about their own key (and nothing about accounts or other keys). */
export async function keyHolderView(deps: Pick<StatsDeps, 'store' | 'clock' | 'timezoneOffsetHours'>, k: ApiKey) {
  const now = deps.clock.now();
  const view = apiKeyView(k, now) as Record<string, unknown>;
  const [usage, limits, newest] = await Promise.all([
    usageSummary(deps.store, k.id, now, deps.timezoneOffsetHours),
    readLimitUsage(deps.store, k, now, deps.timezoneOffsetHours),
    deps.store.usage.recentRequests(1, { keyId: k.id }),
  ]);
  return {
    id: k.id,
    name: k.name,
    // An active key at or past a counted cap is refused until it resets: say so.
    status: view.status === 'active' && limits.some((l) => l.kind !== 'concurrency' && l.ratio >= 1) ? 'exhausted' : view.status,
    prefix: k.prefix,
    expiresAt: view.effectiveExpiresAt,
    createdAt: view.createdAt,
    lastUsedAt: newest[0] ? new Date(newest[0].ts).toISOString() : view.lastUsedAt,
    limits,
    ...ownSettings(k),
    usage,
    timezoneOffsetHours: deps.timezoneOffsetHours,
    tz: tzLabel(deps.timezoneOffsetHours),
  };
}

export async function statsApi(app: FastifyInstance, deps: StatsDeps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  const sessions = new WindowLimiter(20, 60_000);
  const reads = new WindowLimiter(120, 60_000);
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });

  app.post('/session', { bodyLimit: PUBLIC_BODY_LIMIT }, async (request) => {
    sessions.hit(request.ip);
    const { key } = parseInput(statsSessionSchema, request.body);
    const k = await deps.keys.authenticate(key.trim());
    const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
    await deps.store.kv.set(KV + sha(token), k.id, TOKEN_TTL_MS);
    return { token, expiresAt: new Date(Date.now() + TOKEN_TTL_MS).toISOString() };
  });

  app.get('/me', async (request, reply) => {
    reads.hit(request.ip);
    const k = await resolveKey(request, deps);
    const body = await keyHolderView(deps, k);
    if ((request.query as { format?: string }).format === 'text') {
      const t = body.usage.today;
      return reply.type('text/plain; charset=utf-8').send(`${k.name} · today $${(t.costMicros / 1e6).toFixed(2)} · ${t.totalTokens} tokens · ${t.requests} requests\n`);
    }
    return body;
  });

  app.get('/me/usage', async (request) => {
    reads.hit(request.ip);
    const k = await resolveKey(request, deps);
    const q = parseInput(statsUsageQuerySchema, request.query);
    const tz = deps.timezoneOffsetHours;
    const range = resolveRange(q, deps.clock.now(), tz, q.granularity, q.granularity === 'hour' ? DAY : 30 * DAY);
    const rows = await deps.store.usage.query({ granularity: range.granularity, fromBucket: range.fromBucket, toBucket: range.toBucket, keyId: k.id });
    const label = (_d: unknown, id: string) => id;
    const series = buildSeries(rows, { ...range, offsetHours: tz, metric: 'cost', groupBy: 'none', top: 1 }, label);
    const tokens = buildSeries(rows, { ...range, offsetHours: tz, metric: 'tokens', groupBy: 'tokenType', top: 4 }, label);
    const models = buildBreakdown(rows, 'model', label);
    return {
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      granularity: range.granularity,
      tz: tzLabel(tz),
      cost: series.buckets.map((b) => ({ bucket: b.bucket, start: b.start, usd: b.values.total })),
      tokens: tokens.buckets.map((b) => ({ bucket: b.bucket, start: b.start, ...b.values })),
      models: models.rows.sort((a, b) => b.costMicros - a.costMicros),
      totals: models.totals,
    };
  });

  app.get('/me/requests', async (request) => {
    reads.hit(request.ip);
    const k = await resolveKey(request, deps);
    const q = parseInput(statsRequestsQuerySchema, request.query);
    const page = await readLogPage(deps.store, { keyId: k.id, limit: q.limit }, []);
    return { items: page.events.map((e) => requestItem(e)) };
  });
}

const tokenNote = 'Authorization: Bearer <stats token from POST /stats/api/session>, or the relay key itself in x-api-key / Authorization';
export const statsDocs: RouteDoc[] = [
  { method: 'POST', path: '/stats/api/session', tag: 'key-holder', summary: 'Exchange a relay key (in the body, never the URL) for a read-only stats token valid 1 h', body: statsSessionSchema, public: true, responses: { '401': 'KEY_INVALID / KEY_DISABLED / KEY_EXPIRED', '429': 'RATE_LIMITED' } },
  { method: 'GET', path: '/stats/api/me', tag: 'key-holder', summary: `Own key: name, status, prefix, expiry, limits, usage {today,d7,d30,all}. ${tokenNote}. ?format=text gives one status-line line.`, public: true },
  { method: 'GET', path: '/stats/api/me/usage', tag: 'key-holder', summary: `Own usage series (cost, tokens by type) and the per-model table. ${tokenNote}`, query: statsUsageQuerySchema, public: true },
  { method: 'GET', path: '/stats/api/me/requests', tag: 'key-holder', summary: `Own recent requests (no bodies, no account identities). ${tokenNote}`, query: statsRequestsQuerySchema, public: true },
];
