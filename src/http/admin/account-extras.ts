// Account endpoints the web UI needs beyond CRUD: a searchable, sortable page with today's usage per account and
// counts per state (/admin/accounts/search), and a one-request test of an account (/admin/accounts/:id/test).
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { bucketLabel } from '../../core/time-buckets.js';
import { addRow, emptyBlock, sealBlock } from '../../accounting/usage-analytics.js';
import type { AccountHealth } from '../../accounts/health/state.js';
import type { AccountHistory } from '../../accounts/history.js';
import type { AccountTester } from '../../accounts/tester.js';
import type { AccountPool } from '../../accounts/pool.js';
import { windowView, type AccountWindows } from '../../accounts/health/usage-windows.js';
import { healthView } from './accounts.js';
import type { AccountService, AccountView } from '../../accounts/accounts.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';
import { accountSearchQuerySchema, accountTestSchema } from './web-schemas.js';

interface Deps {
  usage: UsageQueries;
  accountHistory: AccountHistory;
  accounts: AccountService;
  pool: AccountPool;
  clock: Clock;
  timezoneOffsetHours: number;
  health: AccountHealth;
  windows: AccountWindows;
  tester: AccountTester;
}

type View = AccountView & { health?: { state?: string; routable?: boolean; notRoutableBecause?: string | null } };

/**
 * The state chip of an account: `routable`, or why not — `paused`, `expired`, a health state (`rate_limited`,
 * `overloaded`, `unauthorized` …) or another exclusion (`at_capacity`). Derived from schedulable and expiry when the
 * view carries no health.
 */
export function accountState(v: View, now: number): { state: string; routable: boolean } {
  const h = v.health;
  if (h?.routable !== undefined) {
    if (h.routable) return { state: 'routable', routable: true };
    const why = h.notRoutableBecause ?? null;
    return { state: why === 'unhealthy' || why === null ? (h.state ?? 'unhealthy') : why, routable: false };
  }
  if (v.expiresAt !== null && Date.parse(v.expiresAt) <= now) return { state: 'expired', routable: false };
  return v.schedulable ? { state: 'routable', routable: true } : { state: 'paused', routable: false };
}

export function accountExtraRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/accounts/search', async (request) => {
    const q = parseInput(accountSearchQuerySchema, request.query);
    const now = deps.clock.now();
    const day = bucketLabel(now, 'day', deps.timezoneOffsetHours);
    const [list, rows] = await Promise.all([deps.accounts.list(), deps.usage.rows({ granularity: 'day', fromBucket: day, toBucket: day })]);
    const windows = await deps.windows.getMany(list.map((a) => a.id));
    const today = new Map<string, ReturnType<typeof emptyBlock>>();
    for (const r of rows) {
      let b = today.get(r.accountId);
      if (!b) today.set(r.accountId, (b = emptyBlock()));
      addRow(b, r);
    }
    const zero = sealBlock(emptyBlock());
    const needle = q.q?.toLowerCase();
    const all = list.map((a, i) => {
      const v = {
        ...deps.accounts.view(a, deps.pool.lastUsedAt(a.id)),
        health: healthView(a, deps.health, deps.pool, now),
        windows: windows[i].map(windowView),
      } as View;
      const t = today.get(a.id);
      return { ...v, ...accountState(v, now), today: t ? sealBlock(t) : zero };
    });
    const counts: Record<string, number> = { all: all.length, routable: 0, not_routable: 0 };
    for (const v of all) {
      counts[v.routable ? 'routable' : 'not_routable']++;
      if (!v.routable) counts[v.state] = (counts[v.state] ?? 0) + 1;
    }
    let items = all.filter(
      (v) =>
        (!q.kind || v.kind === q.kind) &&
        (!needle || v.name.toLowerCase().includes(needle) || v.id.includes(needle) || v.description.toLowerCase().includes(needle)),
    );
    if (q.state === 'routable') items = items.filter((v) => v.routable);
    else if (q.state === 'not_routable') items = items.filter((v) => !v.routable);
    else if (q.state !== 'all') items = items.filter((v) => v.state === q.state);
    const by: Record<string, (a: (typeof items)[number], b: (typeof items)[number]) => number> = {
      priority: (a, b) => a.priority - b.priority,
      name: (a, b) => a.name.localeCompare(b.name),
      '-lastUsedAt': (a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''),
      '-costToday': (a, b) => b.today.costMicros - a.today.costMicros,
      expiresAt: (a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'),
    };
    items.sort((a, b) => by[q.sort](a, b) || a.name.localeCompare(b.name));
    return { items: items.slice((q.page - 1) * q.pageSize, q.page * q.pageSize), total: items.length, page: q.page, pageSize: q.pageSize, counts };
  });

  const history = deps.accountHistory;
  const iso = (t: number) => new Date(t).toISOString();
  app.get('/accounts/:id/health-history', async (request) => {
    const id = (request.params as { id: string }).id;
    await deps.accounts.get(id); // 404 for an unknown id
    const [items, last] = await Promise.all([history.health(id), history.lastTest(id)]);
    return {
      items: items.map((e) => ({ ...e, at: iso(e.at), reasons: e.reasons.map((r) => ({ ...r, until: r.until === null ? null : iso(r.until) })) })),
      lastTest: last ? { ...last, at: iso(last.at) } : null,
    };
  });

  app.post('/accounts/:id/test', async (request) => {
    const body = parseInput(accountTestSchema, request.body);
    const id = (request.params as { id: string }).id;
    await deps.accounts.get(id); // 404 for an unknown id
    const { at: _at, trigger: _trigger, ...outcome } = await deps.tester.run(id, { model: body.model, prompt: body.prompt, trigger: 'manual' });
    return outcome;
  });
}

export const accountExtraDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/admin/accounts/search',
    tag: 'accounts',
    summary: 'Accounts filtered by text, kind and state, sorted, paged, each with state, routable and today’s usage; `counts` per state for the chip row',
    query: accountSearchQuerySchema,
  },
  {
    method: 'GET',
    path: '/admin/accounts/{id}/health-history',
    tag: 'accounts',
    summary: 'The account’s health changes of the last 7 days (newest first: state, reasons) and its last test result',
  },
  {
    method: 'POST',
    path: '/admin/accounts/{id}/test',
    tag: 'accounts',
    summary: 'Send one short request through the account (and its proxy): status, latency, reply text or error',
    body: accountTestSchema,
  },
];
