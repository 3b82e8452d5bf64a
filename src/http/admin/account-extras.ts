// Account endpoints the web UI needs beyond CRUD: a searchable, sortable page with today's usage per account and
// counts per state (/admin/accounts/search), and a one-request test of an account (/admin/accounts/:id/test).
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { isRelayError, RelayError } from '../../core/errors.js';
import { upstreamBody, upstreamPath } from '../../providers/outgoing.js';
import { bucketLabel } from '../../core/time-buckets.js';
import { addRow, emptyBlock, sealBlock, type UsageBlock } from '../../accounting/usage-analytics.js';
import type { AccountHealth } from '../../services/account-health.js';
import { AccountHistory } from '../../services/account-history.js';
import type { AccountPool } from '../../services/account-pool.js';
import { windowView, type AccountWindows } from '../../services/windows.js';
import { healthView } from './accounts.js';
import type { AccountService, AccountView } from '../../services/accounts.js';
import type { Store } from '../../store/types.js';
import type { UpstreamClient } from '../../upstream/client.js';
import type { Credentials } from '../../services/credentials.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';
import { accountSearchQuerySchema, accountTestSchema } from './web-schemas.js';

interface Deps {
  store: Store;
  accounts: AccountService;
  pool: AccountPool;
  clock: Clock;
  timezoneOffsetHours: number;
  health: AccountHealth;
  windows: AccountWindows;
  credentials: Credentials;
  relay: { upstream: UpstreamClient };
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

const TEST_TIMEOUT_MS = 60_000;

export function accountExtraRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/accounts/search', async (request) => {
    const q = parseInput(accountSearchQuerySchema, request.query);
    const now = deps.clock.now();
    const day = bucketLabel(now, 'day', deps.timezoneOffsetHours);
    const [list, rows] = await Promise.all([deps.accounts.list(), deps.store.usage.query({ granularity: 'day', fromBucket: day, toBucket: day })]);
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
      const v = { ...deps.accounts.view(a, deps.pool.lastUsedAt(a.id)), health: healthView(a, deps.health, deps.pool, now), windows: windows[i].map(windowView) } as View;
      const t = today.get(a.id);
      return { ...v, ...accountState(v, now), today: t ? sealBlock(t) : zero } as View & { state: string; routable: boolean; today: UsageBlock };
    });
    const counts: Record<string, number> = { all: all.length, routable: 0, not_routable: 0 };
    for (const v of all) {
      counts[v.routable ? 'routable' : 'not_routable']++;
      if (!v.routable) counts[v.state] = (counts[v.state] ?? 0) + 1;
    }
    let items = all.filter((v) => (!q.kind || v.kind === q.kind) && (!needle || v.name.toLowerCase().includes(needle) || v.id.includes(needle) || v.description.toLowerCase().includes(needle)));
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

  const history = new AccountHistory(deps.store.kv, deps.clock);
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
    const entry = deps.pool.get(id);
    if (!entry) throw new RelayError('CONFLICT', 'The account’s credentials cannot be read (was ENCRYPTION_KEY changed?)');
    const t = entry.adapter.test;
    const model = body.model ?? t.defaultModel;
    const path = upstreamPath(entry.adapter, t.op, model);
    if (!path) throw new RelayError('CONFLICT', 'This account kind has no test request');
    const headers = entry.adapter.wire.requestHeaders({});
    // current(): an OAuth account's token is refreshed first when it is due
    const secrets = await deps.credentials.current(entry);
    entry.adapter.applyAuth(headers, secrets);
    const json = t.body(model, body.prompt ?? 'Reply with the single word: pong');
    const payload = Buffer.from(JSON.stringify(upstreamBody(entry.adapter, t.op, { json: () => json, requestedModel: model, model, secrets }) ?? json));
    // The outcome is kept as the account's last test (the detail drawer shows it); a store failure loses only that.
    const remember = async <R extends { ok: boolean; status: number; latencyMs: number; model: string; text: string | null; error: string | null }>(r: R): Promise<R> => {
      await history.recordTest(id, { ...r, trigger: 'manual' }).catch(() => undefined);
      return r;
    };
    const started = performance.now();
    try {
      const res = await deps.relay.upstream.send({
        origin: entry.origin,
        path: `${entry.basePath}${path}`,
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
        proxyUrl: entry.proxyUrl,
      });
      const text = await res.body.text();
      const latencyMs = Math.round(performance.now() - started);
      const read = t.read(text);
      const ok = res.statusCode < 400 && read.error === null;
      return await remember({
        ok,
        status: res.statusCode,
        latencyMs,
        model: read.model ?? model,
        text: ok ? read.text : null,
        error: ok ? null : (read.error ?? text.slice(0, 300)),
      });
    } catch (e) {
      return await remember({ ok: false, status: 0, latencyMs: Math.round(performance.now() - started), model, text: null, error: isRelayError(e) ? e.message : (e as Error).message });
    }
  });
}

export const accountExtraDocs: RouteDoc[] = [
  { method: 'GET', path: '/admin/accounts/search', tag: 'accounts', summary: 'Accounts filtered by text, kind and state, sorted, paged, each with state, routable and today’s usage; `counts` per state for the chip row', query: accountSearchQuerySchema },
  { method: 'GET', path: '/admin/accounts/{id}/health-history', tag: 'accounts', summary: 'The account’s health changes of the last 7 days (newest first: state, reasons) and its last test result' },
  { method: 'POST', path: '/admin/accounts/{id}/test', tag: 'accounts', summary: 'Send one short request through the account (and its proxy): status, latency, reply text or error', body: accountTestSchema },
];
