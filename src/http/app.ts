// Builds the Fastify application from ready-made services (no module singletons; tests build it the same way).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import { newRequestId } from '../core/ids.js';
import type { Logger } from '../platform/logger.js';
import type { RelayDeps } from '../relay/relay.js';
import type { AccountPool } from '../services/account-pool.js';
import type { AccountHealth } from '../services/account-health.js';
import type { KeyGate } from '../services/key-gate.js';
import type { AccountService } from '../services/accounts.js';
import type { GroupService } from '../services/groups.js';
import type { Credentials } from '../services/credentials.js';
import type { OAuthSessions } from '../services/oauth-sessions.js';
import type { AccountWindows } from '../services/windows.js';
import type { AdminAuth } from '../services/admin-auth.js';
import type { ApiKeyService } from '../services/api-keys.js';
import type { Store } from '../store/types.js';
import { adminApi } from './admin/index.js';
import { health } from './health.js';
import { anthropicSurface } from './surfaces/anthropic/index.js';
import { openaiSurface } from './surfaces/openai/index.js';
import { webAuth } from './web-auth.js';
import { statsApi } from './stats/index.js';
import { webStatic } from './web-static.js';

export interface AppDeps {
  store: Store;
  keys: ApiKeyService;
  accounts: AccountService;
  groups: GroupService;
  pool: AccountPool;
  auth: AdminAuth;
  relay: RelayDeps;
  gate: KeyGate;
  health: AccountHealth;
  credentials: Credentials;
  windows: AccountWindows;
  oauthSessions: OAuthSessions;
  clock: Clock;
  log: Logger;
  requestMaxBytes: number;
  timezoneOffsetHours: number;
  trustProxy: boolean;
  version: string;
  startedAt: number;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    // The relay logs one line per relayed request itself; no per-request framework lines.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (a measurable cost on the hot path); lines carry requestId explicitly.
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.requestMaxBytes,
    genReqId: () => newRequestId(),
    trustProxy: deps.trustProxy,
    // Streams can run for many minutes: no server-side request timeout; idle keep-alive sockets close after 65 s.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
  const surface = { keys: deps.keys, gate: deps.gate, store: deps.store, timezoneOffsetHours: deps.timezoneOffsetHours, relay: deps.relay, clock: deps.clock, log: deps.log, requestMaxBytes: deps.requestMaxBytes };
  await app.register(anthropicSurface, { ...surface, prefix: '/api' });
  await app.register(anthropicSurface, { ...surface, prefix: '/claude' });
  await app.register(openaiSurface, { ...surface, prefix: '/openai' });
  await app.register(adminApi, { ...deps, prefix: '/admin' });
  await app.register(webAuth, { auth: deps.auth, log: deps.log, requestMaxBytes: deps.requestMaxBytes, prefix: '/web' });
  await app.register(webStatic);
  await app.register(statsApi, { ...deps, prefix: '/stats/api' });
  await app.register(health, deps);
  return app as unknown as FastifyInstance;
}
