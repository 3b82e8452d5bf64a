// /admin/accounts: upstream accounts (credentials go in, never come out), and what the web UI needs beyond CRUD: a
// searchable, sortable page with today's usage and counts per state, the health history, a one-request test.
import type { Account } from '../../../core/account.js';
import type { Clock } from '../../../core/clock.js';
import { bucketLabel } from '../../../core/time-buckets.js';
import { addRow, emptyBlock, sealBlock } from '../../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import type { AccountHealth } from '../../../accounts/health/state.js';
import type { AccountHistory } from '../../../accounts/history.js';
import type { AccountTester } from '../../../accounts/tester.js';
import type { AccountPool } from '../../../accounts/pool.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { OAuthSessions } from '../../../accounts/oauth-sessions.js';
import { windowView, type UsageWindows, type StoredWindow } from '../../../accounts/health/usage-windows.js';
import { createFromSession } from '../oauth/routes.js';
import { idParams, routeBuilder } from '../route.js';
import {
  accountCreateSchema,
  accountList,
  accountLiveView,
  accountPatchSchema,
  accountSearchList,
  accountSearchQuerySchema,
  accountTestSchema,
  accountTestView,
  healthHistoryView,
} from './schemas.js';
import { accountState, healthView } from './views.js';

interface Deps {
  accounts: AccountService;
  pool: AccountPool;
  health: AccountHealth;
  clock: Clock;
  windows: UsageWindows;
  oauthSessions: OAuthSessions;
  usage: UsageQueries;
  accountHistory: AccountHistory;
  tester: AccountTester;
  timezoneOffsetHours: number;
}

const route = routeBuilder<Deps>();
const tag = 'accounts';
const iso = (t: number) => new Date(t).toISOString();

function view(deps: Deps, a: Account, windows: StoredWindow[] = []) {
  return {
    ...deps.accounts.view(a, deps.pool.lastUsedAt(a.id)),
    health: healthView(a, deps.health, deps.pool, deps.clock.now()),
    windows: windows.map(windowView),
  };
}

export const accountRoutes = [
  route({ method: 'GET', path: '/accounts', tag, summary: 'Every upstream account (no secrets)', response: accountList }, async (_ctx, deps) => {
    const list = await deps.accounts.list();
    const windows = await deps.windows.getMany(list.map((a) => a.id));
    const items = list.map((a, i) => view(deps, a, windows[i]));
    return { items, total: items.length };
  }),
  route(
    {
      method: 'POST',
      created: true,
      path: '/accounts',
      tag,
      summary: 'Add an upstream account (credentials go in, never come out)',
      body: accountCreateSchema,
      response: accountLiveView,
    },
    async ({ body, reply }, deps) => {
      const { apiKey, oauthSessionId, projectId, ...input } = body;
      const a =
        oauthSessionId !== undefined
          ? await createFromSession(deps, input, oauthSessionId, projectId !== undefined ? { projectId } : {})
          : await deps.accounts.create({ ...input, secrets: { apiKey } });
      return reply.code(201).send(view(deps, a));
    },
  ),
  route({ method: 'GET', path: '/accounts/:id', tag, summary: 'One account', params: idParams, response: accountLiveView }, async ({ params }, deps) => {
    const a = await deps.accounts.get(params.id);
    return view(deps, a, await deps.windows.get(a.id));
  }),
  route(
    {
      method: 'PATCH',
      path: '/accounts/:id',
      tag,
      summary: 'Edit an account (schedulable, priority, credentials by replacement …)',
      params: idParams,
      body: accountPatchSchema,
      response: accountLiveView,
    },
    async ({ params, body }, deps) => {
      const { apiKey, ...patch } = body;
      const a = await deps.accounts.update(params.id, { ...patch, ...(apiKey !== undefined ? { secrets: { apiKey } } : {}) });
      return view(deps, a);
    },
  ),
  route({ method: 'DELETE', path: '/accounts/:id', tag, summary: 'Delete an account', params: idParams, noContent: true }, async ({ params, reply }, deps) => {
    await deps.accounts.remove(params.id);
    await deps.health.reset(params.id);
    return reply.code(204).send();
  }),
  route(
    {
      method: 'POST',
      path: '/accounts/:id/reset-health',
      tag,
      summary: 'Clear every health reason (on every instance); returns the account with its new health',
      params: idParams,
      response: accountLiveView,
    },
    async ({ params }, deps) => {
      const a = await deps.accounts.get(params.id);
      await deps.health.reset(a.id);
      return view(deps, a);
    },
  ),
  route(
    {
      method: 'GET',
      path: '/accounts/search',
      tag,
      summary: 'Accounts filtered by text, kind and state, sorted, paged, each with state, routable and today’s usage; `counts` per state for the chip row',
      query: accountSearchQuerySchema,
      response: accountSearchList,
    },
    async ({ query: q }, deps) => {
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
        };
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
    },
  ),
  route(
    {
      method: 'GET',
      path: '/accounts/:id/health-history',
      tag,
      summary: 'The account’s health changes of the last 7 days (newest first: state, reasons) and its last test result',
      params: idParams,
      response: healthHistoryView,
    },
    async ({ params: { id } }, deps) => {
      await deps.accounts.get(id); // 404 for an unknown id
      const [items, last] = await Promise.all([deps.accountHistory.health(id), deps.accountHistory.lastTest(id)]);
      return {
        items: items.map((e) => ({ ...e, at: iso(e.at), reasons: e.reasons.map((r) => ({ ...r, until: r.until === null ? null : iso(r.until) })) })),
        lastTest: last ? { ...last, at: iso(last.at) } : null,
      };
    },
  ),
  route(
    {
      method: 'POST',
      path: '/accounts/:id/test',
      tag,
      summary: 'Send one short request through the account (and its proxy): status, latency, reply text or error',
      params: idParams,
      body: accountTestSchema,
      response: accountTestView,
    },
    async ({ params: { id }, body }, deps) => {
      await deps.accounts.get(id); // 404 for an unknown id
      const { at: _at, trigger: _trigger, ...outcome } = await deps.tester.run(id, { model: body.model, prompt: body.prompt, trigger: 'manual' });
      return outcome;
    },
  ),
];
