// GET /health: store reachability and a pool summary; 503 when the store does not answer.
import type { FastifyInstance } from 'fastify';
import type { AccountPool } from '../services/account-pool.js';
import type { Store } from '../store/types.js';

export interface HealthDeps {
  store: Store;
  pool: AccountPool;
  version: string;
  startedAt: number;
}

export async function health(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/health', async (_request, reply) => {
    let store: { kind: string; ok: boolean; latencyMs?: number; error?: string };
    try {
      store = { kind: deps.store.kind, ok: true, latencyMs: Math.round((await deps.store.ping()) * 100) / 100 };
    } catch (e) {
      store = { kind: deps.store.kind, ok: false, error: (e as Error).message };
    }
    const accounts = deps.pool.all();
    const body = {
      status: store.ok ? 'ok' : 'unhealthy',
      service: 'claude-relay-service',
      version: deps.version,
      uptimeSec: Math.round((Date.now() - deps.startedAt) / 1000),
      store,
      accounts: { total: accounts.length, schedulable: accounts.filter((a) => a.account.schedulable).length },
    };
    return reply.code(store.ok ? 200 : 503).header('cache-control', 'no-store').send(body);
  });
}
