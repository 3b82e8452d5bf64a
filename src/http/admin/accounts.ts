// /admin/accounts: upstream accounts. Credentials go in, never come out.
import type { FastifyInstance } from 'fastify';
import { withAccountDefaults, type Account } from '../../core/account.js';
import type { Clock } from '../../core/clock.js';
import { availableAt, healthState } from '../../scheduling/health-policy.js';
import { routability } from '../../scheduling/selector.js';
import type { AccountHealth } from '../../accounts/health/state.js';
import type { AccountPool } from '../../accounts/pool.js';
import type { AccountService } from '../../accounts/accounts.js';
import type { OAuthSessions } from '../../accounts/oauth-sessions.js';
import { windowView, type AccountWindows, type StoredWindow } from '../../accounts/health/usage-windows.js';
import { createFromSession } from './oauth.js';
import { accountCreateSchema, accountPatchSchema } from './schemas.js';
import { parseInput } from './validate.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Health as the admin sees it: the state, every reason in force, and whether (and why not) it is routable now. */
export function healthView(a: Account, health: AccountHealth, pool: AccountPool, now: number) {
  const reasons = health.get(a.id);
  const r = routability(withAccountDefaults(a), reasons, now, pool.inFlight(a.id));
  const back = reasons.length ? availableAt(reasons) : null;
  return {
    state: healthState(reasons),
    routable: r.routable,
    notRoutableBecause: r.why?.code ?? null,
    availableAt: back === null ? null : iso(back),
    reasons: reasons.map((x) => ({ ...x, since: iso(x.since), until: iso(x.until) })),
    inFlight: pool.inFlight(a.id),
  };
}

export function accountRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountService; pool: AccountPool; health: AccountHealth; clock: Clock; windows: AccountWindows; oauthSessions: OAuthSessions },
): void {
  const { accounts, pool, health } = deps;
  const view = (a: Account, windows: StoredWindow[] = []) => ({
    ...accounts.view(a, pool.lastUsedAt(a.id)),
    health: healthView(a, health, pool, deps.clock.now()),
    windows: windows.map(windowView),
  });

  app.post('/accounts', async (request, reply) => {
    const { apiKey, oauthSessionId, projectId, ...input } = parseInput(accountCreateSchema, request.body);
    const a =
      oauthSessionId !== undefined
        ? await createFromSession(deps, input, oauthSessionId, projectId !== undefined ? { projectId } : {})
        : await accounts.create({ ...input, secrets: { apiKey } });
    return reply.code(201).send(view(a));
  });
  app.get('/accounts', async () => {
    const list = await accounts.list();
    const windows = await deps.windows.getMany(list.map((a) => a.id));
    const items = list.map((a, i) => view(a, windows[i]));
    return { items, total: items.length };
  });
  app.get('/accounts/:id', async (request) => {
    const a = await accounts.get((request.params as { id: string }).id);
    return view(a, await deps.windows.get(a.id));
  });
  app.patch('/accounts/:id', async (request) => {
    const { apiKey, ...patch } = parseInput(accountPatchSchema, request.body);
    const a = await accounts.update((request.params as { id: string }).id, {
      ...patch,
      ...(apiKey !== undefined ? { secrets: { apiKey } } : {}),
    });
    return view(a);
  });
  app.delete('/accounts/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    await accounts.remove(id);
    await health.reset(id);
    return reply.code(204).send();
  });
  // Clears every health reason (on every instance) and returns the account with its new health.
  app.post('/accounts/:id/reset-health', async (request) => {
    const a = await accounts.get((request.params as { id: string }).id);
    await health.reset(a.id);
    return view(a);
  });
}
