// GET /admin/overview: the dashboard's cards in one call — today, yesterday at the same time, month to date,
// live rates, accounts and keys by state, and a "needs attention" list. Days are in the reporting time zone.
import type { Clock } from '../../../core/clock.js';
import { cacheHitRate, type UsageBlock } from '../../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { AccountHealth } from '../../../accounts/health/state.js';
import type { AccountPool } from '../../../accounts/pool.js';
import { accountState, healthView } from '../accounts/views.js';
import type { ApiKeyService } from '../../../keys/api-keys.js';
import { routeBuilder } from '../route.js';
import { overviewQuerySchema, overviewView } from './schemas.js';
import { tzLabel } from './support.js';

const DAY = 24 * 3_600_000;

interface Deps {
  usage: UsageQueries;
  clock: Clock;
  keys: ApiKeyService;
  accounts: AccountService;
  pool: AccountPool;
  health: AccountHealth;
  timezoneOffsetHours: number;
}

export interface AttentionItem {
  kind: 'account_not_routable' | 'account_expiring' | 'account_expired' | 'key_expiring' | 'key_limit';
  targetType: 'account' | 'key';
  targetId: string;
  name: string;
  message: string;
  until?: string | null;
}

type AccountViewLike = Parameters<typeof accountState>[0] & { health?: { reasons?: { message?: string; until?: string | null }[] } };

function accountSummary(views: AccountViewLike[], now: number, attention: AttentionItem[]) {
  const byState: Record<string, number> = {};
  let routable = 0;
  for (const a of views) {
    const s = accountState(a, now);
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    if (s.routable) routable++;
    else if (s.state !== 'paused') {
      const reason = a.health?.reasons?.[0];
      attention.push({
        kind: s.state === 'expired' ? 'account_expired' : 'account_not_routable',
        targetType: 'account',
        targetId: a.id,
        name: a.name,
        message: reason?.message ?? s.state,
        until: reason?.until ?? null,
      });
    }
    const expiresAt = a.expiresAt === null ? null : Date.parse(a.expiresAt);
    if (expiresAt !== null && expiresAt > now && expiresAt - now < 3 * DAY) {
      attention.push({ kind: 'account_expiring', targetType: 'account', targetId: a.id, name: a.name, message: 'expires soon', until: a.expiresAt });
    }
  }
  return { total: views.length, routable, byState };
}

async function keySummary(keys: ApiKeyService, now: number, attention: AttentionItem[]) {
  const { items } = await keys.list({});
  let active = 0;
  let disabled = 0;
  let expired = 0;
  let expiringSoon = 0;
  for (const k of items) {
    if (!k.isActive) disabled++;
    else if (k.expiresAt !== null && k.expiresAt <= now) expired++;
    else active++;
    if (k.isActive && k.expiresAt !== null && k.expiresAt > now && k.expiresAt - now < 7 * DAY) {
      expiringSoon++;
      if (k.expiresAt - now < 3 * DAY) {
        attention.push({
          kind: 'key_expiring',
          targetType: 'key',
          targetId: k.id,
          name: k.name,
          message: 'expires soon',
          until: new Date(k.expiresAt).toISOString(),
        });
      }
    }
  }
  return { total: items.length, active, disabled, expired, expiringSoon };
}

const route = routeBuilder<Deps>();

export const overviewRoutes = [
  route(
    {
      method: 'GET',
      path: '/overview',
      tag: 'overview',
      summary:
        'Dashboard cards: today, yesterdaySameTime, yesterday, monthToDate (usage blocks), live {rpm,tpm}, accounts, keys, cacheHitRate, errorRate, attention[]',
      query: overviewQuerySchema,
      response: overviewView,
    },
    async (_ctx, deps) => {
      const now = deps.clock.now();
      const tz = deps.timezoneOffsetHours;
      const attention: AttentionItem[] = [];
      const accountViews = (await deps.accounts.list()).map((a) => ({
        ...deps.accounts.view(a, deps.pool.lastUsedAt(a.id)),
        health: healthView(a, deps.health, deps.pool, now),
      }));
      const [blocks, liveRates, keys] = await Promise.all([deps.usage.dashboard(now), deps.usage.liveRates(now), keySummary(deps.keys, now, attention)]);
      const accounts = accountSummary(accountViews, now, attention);
      const t: UsageBlock = blocks.today;
      return {
        now: new Date(now).toISOString(),
        timezoneOffsetHours: tz,
        tz: tzLabel(tz),
        ...blocks,
        live: liveRates,
        accounts,
        keys,
        cacheHitRate: cacheHitRate(t),
        errorRate: t.requests > 0 ? t.errors / t.requests : 0,
        attention,
      };
    },
  ),
];
