// The admin API at /admin: every route requires an admin session (Authorization: Bearer <token>).
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { AccountPool } from '../../services/account-pool.js';
import type { AccountService } from '../../services/accounts.js';
import type { AdminAuth } from '../../services/admin-auth.js';
import type { ApiKeyService } from '../../services/api-keys.js';
import type { Store } from '../../store/types.js';
import { accountRoutes } from './accounts.js';
import { apiKeyRoutes } from './api-keys.js';
import { useAdminErrors } from './errors.js';
import { usageRoutes } from './usage.js';

export interface AdminDeps {
  auth: AdminAuth;
  keys: ApiKeyService;
  accounts: AccountService;
  pool: AccountPool;
  store: Store;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  requestMaxBytes: number;
}

export async function adminApi(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  app.addHook('onRequest', async (request) => {
    request.admin = deps.auth.authenticate(request.headers.authorization);
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  accountRoutes(app, deps);
  apiKeyRoutes(app, deps);
  usageRoutes(app, deps);
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: { username: string; expiresAt: number };
  }
}
