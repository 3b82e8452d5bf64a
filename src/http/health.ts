// GET /health: store reachability and a pool summary; 503 when the store does not answer.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { AccountPool } from '../accounts/pool.js';
import type { StoreHealth } from '../ops/store-health.js';

export interface HealthDeps {
  storeHealth: StoreHealth;
  pool: AccountPool;
  version: string;
  clock: Clock;
  startedAt: number;
}

export async function health(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/health', async (_request, reply) => {
    const s = await deps.storeHealth.check();
    // Unreachable: the error instead of a latency.
    const store = s.ok ? { kind: s.kind, ok: true, latencyMs: s.latencyMs } : { kind: s.kind, ok: false, error: s.error };
    const accounts = deps.pool.all();
    const body = {
      status: store.ok ? 'ok' : 'unhealthy',
      service: 'claude-relay-service',
      version: deps.version,
      uptimeSec: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      store,
      accounts: { total: accounts.length, schedulable: accounts.filter((a) => a.account.schedulable).length },
    };
    return reply
      .code(store.ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
