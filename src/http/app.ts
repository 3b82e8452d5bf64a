// Builds the Fastify application from ready-made services (no module singletons; tests build it the same way).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { PricingTable } from '../accounting/pricing.js';
import type { Clock } from '../core/clock.js';
import { newRequestId } from '../core/ids.js';
import type { Logger } from '../platform/logger.js';
import type { RelayDeps } from '../relay/relay.js';
import type { AccountPool } from '../accounts/pool.js';
import type { AccountHealth } from '../accounts/health/state.js';
import type { KeyGate } from '../keys/key-gate.js';
import type { AccountService } from '../accounts/accounts.js';
import type { GroupService } from '../accounts/groups.js';
import type { Credentials } from '../accounts/credentials.js';
import type { OAuthSessions } from '../accounts/oauth-sessions.js';
import type { TokenImport } from '../accounts/token-import.js';
import type { UsageWindows } from '../accounts/health/usage-windows.js';
import type { AdminAuth } from '../admin/admin-auth.js';
import type { ApiKeyService } from '../keys/api-keys.js';
import type { UsageQueries } from '../accounting/usage-queries.js';
import type { AccountHistory } from '../accounts/history.js';
import type { StatsSessions } from '../keys/stats-sessions.js';
import type { StoreHealth } from '../ops/store-health.js';
import type { Alerts } from '../ops/alerts/index.js';
import type { SettingsService } from '../admin/settings.js';
import type { AccountTester } from '../accounts/tester.js';
import type { TestSchedules } from '../accounts/scheduled-tests/schedules.js';
import type { TrustProxy } from '../config/trust-proxy.js';
import { adminApi } from './admin/index.js';
import { health } from './health.js';
import { anthropicSurface } from './surfaces/anthropic/index.js';
import { openaiSurface } from './surfaces/openai/index.js';
import { geminiSurface } from './surfaces/gemini/index.js';
import { webAuth } from './web-auth.js';
import { statsApi } from './stats/index.js';
import { webStatic } from './web-static.js';
import { frameworkErrors, rootNotFound } from './framework-errors.js';
import { legacyRedirects } from './legacy-redirects.js';
import { createServer } from 'node:http';
import { FastRoutes } from './fast-routes.js';

export interface AppDeps {
  /** Usage statistics, the request log and limit bars (admin API, key-holder pages). */
  usage: UsageQueries;
  storeHealth: StoreHealth;
  statsSessions: StatsSessions;
  accountHistory: AccountHistory;
  keys: ApiKeyService;
  accounts: AccountService;
  groups: GroupService;
  pool: AccountPool;
  auth: AdminAuth;
  relay: RelayDeps;
  gate: KeyGate;
  health: AccountHealth;
  credentials: Credentials;
  windows: UsageWindows;
  oauthSessions: OAuthSessions;
  /** Subscription accounts from pasted tokens (checked with the provider first). */
  tokenImport: TokenImport;
  settings: SettingsService;
  alerts: Alerts;
  /** The price table in effect (bundled + PRICING_FILE): the one the recorder prices with. */
  pricing: PricingTable;
  /** The one-request account test (Test button, scheduled tests) and the accounts' test schedules. */
  tester: AccountTester;
  schedules: TestSchedules;
  clock: Clock;
  log: Logger;
  requestMaxBytes: number;
  timezoneOffsetHours: number;
  trustProxy: TrustProxy;
  /** Client connection limits (config.server); the defaults below when absent (tests building the app alone). */
  server?: ServerLimits;
  version: string;
  startedAt: number;
}

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** 0 = no cap. */
  maxConnections: number;
}

const DEFAULT_LIMITS: ServerLimits = { headersTimeoutMs: 30_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000, maxConnections: 4096 };

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = deps.server ?? DEFAULT_LIMITS;
  const fast = new FastRoutes();
  // Node's requestTimeout bounds RECEIVING a request (headers and body; a slow-loris body is cut with 408) and stops
  // applying once the request is complete, so a response stream may run for as long as it needs. headersTimeout
  // bounds the head alone; idle keep-alive sockets close after keepAliveTimeout. Node checks these every
  // connectionsCheckingInterval (30 s by default): a quarter of the shortest budget keeps the cut close to the
  // configured time.
  const http = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  };
  const app = Fastify({
    // The server Fastify would make (its lib/server.js), with the relay routes answered ahead of its router
    // (fast-routes.ts).
    serverFactory: (handler) => {
      const server = createServer(http, (req, res) => {
        if (!fast.handle(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = limits.keepAliveTimeoutMs;
      server.requestTimeout = limits.requestTimeoutMs;
      server.setTimeout(0); // Fastify's connectionTimeout default: no socket inactivity timeout
      return server;
    },
    loggerInstance: deps.log,
    // The relay logs one line per relayed request itself; no per-request framework lines.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (a measurable cost on the hot path); lines carry requestId explicitly.
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.requestMaxBytes,
    genReqId: () => newRequestId(),
    trustProxy: fastifyTrustProxy(deps.trustProxy),
    return503OnClosing: true,
    // A URL the router cannot read gets the error shape of the surface it names (framework-errors.ts).
    frameworkErrors,
  });
  // Connections beyond the cap are closed as they arrive (the kernel's backlog is not a limit).
  if (limits.maxConnections > 0) app.server.maxConnections = limits.maxConnections;
  const surface = {
    keys: deps.keys,
    gate: deps.gate,
    usage: deps.usage,
    timezoneOffsetHours: deps.timezoneOffsetHours,
    relay: deps.relay,
    clock: deps.clock,
    log: deps.log,
    requestMaxBytes: deps.requestMaxBytes,
    fast,
  };
  // Fastify answers 503 once it closes; the fast path leaves every request to it from then on.
  app.addHook('preClose', async () => fast.close());
  app.setNotFoundHandler(rootNotFound);
  await app.register(anthropicSurface, { ...surface, prefix: '/api' });
  await app.register(anthropicSurface, { ...surface, prefix: '/claude' });
  await app.register(openaiSurface, { ...surface, prefix: '/openai' });
  await app.register(geminiSurface, { ...surface, prefix: '/gemini' });
  await app.register(adminApi, { ...deps, prefix: '/admin' });
  await app.register(webAuth, { auth: deps.auth, log: deps.log, requestMaxBytes: deps.requestMaxBytes, prefix: '/web' });
  await app.register(webStatic);
  await app.register(legacyRedirects);
  await app.register(statsApi, { ...deps, prefix: '/stats/api' });
  await app.register(health, deps);
  return app as unknown as FastifyInstance;
}

/**
 * Fastify refuses a bare hop count (it cannot tell the proxy from a client that connects directly and sends the
 * header itself); as a function it means: trust the first `n` hops. With a hop count the relay must be reachable
 * only through its proxies; a list of proxy addresses has no such condition.
 */
function fastifyTrustProxy(tp: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof tp === 'number') return (_address, hop) => hop < tp;
  return tp;
}
