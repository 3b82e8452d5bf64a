// The key-holder API at /stats/api (public, rate-limited): a key is exchanged, in a POST body, for a short-lived
// read-only token; /me answers to that token or to the relay key itself (x-api-key / Authorization), so a Claude
// Code status line can call it. Nothing here reveals accounts, other keys or prices per account.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withKeyDefaults, type ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { buildBreakdown, buildSeries } from '../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import type { Logger } from '../../platform/logger.js';
import type { ApiKeyService } from '../../keys/api-keys.js';
import { isStatsToken, type StatsSessions } from '../../keys/stats-sessions.js';
import { z } from 'zod';
import { useAdminErrors } from '../admin/errors.js';
import { apiKeyView } from '../admin/keys/views.js';
import { queryFlag, routeBuilder } from '../admin/route.js';
import { parseInput } from '../admin/validate.js';
import { readLogPage, requestItem } from '../admin/usage/requests.js';
import { resolveRange, tzLabel } from '../admin/usage/support.js';
import { ownKeyView, ownRequestList, ownUsageView, statsTokenView } from './answers.js';
import { statsRequestsQuerySchema, statsSessionSchema, statsUsageQuerySchema } from './schemas.js';
import { PUBLIC_BODY_LIMIT } from '../web-auth.js';
import { AddressLimiter } from './rate-limit.js';

export interface StatsDeps {
  usage: UsageQueries;
  statsSessions: StatsSessions;
  keys: ApiKeyService;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  requestMaxBytes: number;
}

const DAY = 86_400_000;

/** What a key holder may know of their key's settings: no bound account, no other key. */
function ownSettings(k: ApiKey) {
  const l = withKeyDefaults(k).limits;
  return {
    restrictions: {
      services: l.permissions,
      models: l.enableModelRestriction ? { mode: l.modelRestrictionMode === 'whitelist' ? 'allow' : 'deny', list: l.restrictedModels } : null,
      clients: l.enableClientRestriction ? l.allowedClients : null,
    },
    activation: {
      mode: l.expirationMode,
      after: l.expirationMode === 'activation' ? `${l.activationDays} ${l.activationUnit}` : null,
      activatedAt: l.activatedAt === null ? null : new Date(l.activatedAt).toISOString(),
    },
  };
}

async function resolveKey(request: FastifyRequest, deps: StatsDeps): Promise<ApiKey> {
  const auth = request.headers.authorization;
  const bearer = auth ? /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() : undefined;
  if (bearer !== undefined && isStatsToken(bearer)) return deps.statsSessions.resolve(bearer);
  const header = request.headers['x-api-key'];
  const presented = (Array.isArray(header) ? header[0] : header) ?? bearer;
  return deps.keys.authenticate(presented);
}

/** Everything a key holder may see about their own key (and nothing about accounts or other keys). */
export async function keyHolderView(deps: Pick<StatsDeps, 'usage' | 'clock' | 'timezoneOffsetHours'>, k: ApiKey) {
  const now = deps.clock.now();
  const view = apiKeyView(k, now) as Record<string, unknown>;
  const [usage, limits, newest] = await Promise.all([deps.usage.keySummary(k.id, now), deps.usage.limitUsage(k, now), deps.usage.newest(k.id)]);
  return {
    id: k.id,
    name: k.name,
    // An active key at or past a counted cap is refused until it resets: say so.
    status: view.status === 'active' && limits.some((l) => l.kind !== 'concurrency' && l.ratio >= 1) ? 'exhausted' : view.status,
    prefix: k.prefix,
    expiresAt: view.effectiveExpiresAt,
    createdAt: view.createdAt,
    lastUsedAt: newest ? new Date(newest.ts).toISOString() : view.lastUsedAt,
    limits,
    ...ownSettings(k),
    usage,
    timezoneOffsetHours: deps.timezoneOffsetHours,
    tz: tzLabel(deps.timezoneOffsetHours),
  };
}

interface RouteDeps extends StatsDeps {
  /** Session exchanges per address. */
  sessions: AddressLimiter;
  /** Reads per address. */
  reads: AddressLimiter;
}

const route = routeBuilder<RouteDeps>();
const tag = 'key-holder';
const tokenNote = 'Authorization: Bearer <stats token from POST /stats/api/session>, or the relay key itself in x-api-key / Authorization';

/** The key-holder routes (documented in /admin/openapi.json with the admin routes). */
export const STATS_ROUTES = [
  route(
    {
      method: 'POST',
      path: '/session',
      tag,
      summary: 'Exchange a relay key (in the body, never the URL) for a read-only stats token valid 1 h',
      bodyDoc: statsSessionSchema,
      public: true,
      bodyLimit: PUBLIC_BODY_LIMIT,
      responses: { '401': 'KEY_INVALID / KEY_DISABLED / KEY_EXPIRED', '429': 'RATE_LIMITED' },
      response: statsTokenView,
    },
    // The limiters count before anything is checked: the input is parsed in the handler, after the hit.
    async ({ request }, deps) => {
      deps.sessions.hit(request.ip);
      const { key } = parseInput(statsSessionSchema, request.body);
      const k = await deps.keys.authenticate(key.trim());
      return deps.statsSessions.open(k.id);
    },
  ),
  route(
    {
      method: 'GET',
      path: '/me',
      tag,
      summary: `Own key: name, status, prefix, expiry, limits, usage {today,d7,d30,all}. ${tokenNote}. ?format=text gives one status-line line.`,
      query: z.object({ format: queryFlag }),
      public: true,
      response: ownKeyView,
    },
    async ({ query, request, reply }, deps) => {
      deps.reads.hit(request.ip);
      const k = await resolveKey(request, deps);
      const body = await keyHolderView(deps, k);
      if (query.format === 'text') {
        const t = body.usage.today;
        return reply
          .type('text/plain; charset=utf-8')
          .send(`${k.name} · today $${(t.costMicros / 1e6).toFixed(2)} · ${t.totalTokens} tokens · ${t.requests} requests\n`);
      }
      return body;
    },
  ),
  route(
    {
      method: 'GET',
      path: '/me/usage',
      tag,
      summary: `Own usage series (cost, tokens by type) and the per-model table. ${tokenNote}`,
      public: true,
      queryDoc: statsUsageQuerySchema,
      response: ownUsageView,
    },
    async ({ request }, deps) => {
      deps.reads.hit(request.ip);
      const k = await resolveKey(request, deps);
      const q = parseInput(statsUsageQuerySchema, request.query);
      const tz = deps.timezoneOffsetHours;
      const range = resolveRange(q, deps.clock.now(), tz, q.granularity, q.granularity === 'hour' ? DAY : 30 * DAY);
      const rows = await deps.usage.rows({ granularity: range.granularity, fromBucket: range.fromBucket, toBucket: range.toBucket, keyId: k.id });
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
    },
  ),
  route(
    {
      method: 'GET',
      path: '/me/requests',
      tag,
      summary: `Own recent requests (no bodies, no account identities). ${tokenNote}`,
      public: true,
      queryDoc: statsRequestsQuerySchema,
      response: ownRequestList,
    },
    async ({ request }, deps) => {
      deps.reads.hit(request.ip);
      const k = await resolveKey(request, deps);
      const q = parseInput(statsRequestsQuerySchema, request.query);
      const page = await readLogPage(deps.usage, { keyId: k.id, limit: q.limit }, []);
      return { items: page.events.map((e) => requestItem(e)) };
    },
  ),
];

export async function statsApi(app: FastifyInstance, deps: StatsDeps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  const routeDeps: RouteDeps = { ...deps, sessions: new AddressLimiter(20, 60_000, deps.clock), reads: new AddressLimiter(120, 60_000, deps.clock) };
  for (const r of STATS_ROUTES) r.register(app, routeDeps);
}
