// The composition root: config → store → services → app. main.ts, the CLI and the tests all build the relay here.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { loadPricing, type PricingTable } from './accounting/pricing.js';
import { UsageRecorder } from './accounting/recorder.js';
import type { ResolvedConfig } from './config/secrets-file.js';
import { systemClock, type Clock } from './core/clock.js';
import { buildApp } from './http/app.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createSecrets, type Secrets } from './platform/secrets.js';
import { AccountPool } from './services/account-pool.js';
import { AccountService } from './services/accounts.js';
import { AdminAuth, ensureAdmin, type EnsureAdminResult } from './services/admin-auth.js';
import { ApiKeyService } from './services/api-keys.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import { createUpstreamClient, type UpstreamClient } from './upstream/client.js';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Services without the HTTP app: enough for the CLI. */
export interface Core {
  config: ResolvedConfig;
  log: Logger;
  clock: Clock;
  store: Store;
  secrets: Secrets;
  keys: ApiKeyService;
  accounts: AccountService;
  auth: AdminAuth;
  close(): Promise<void>;
}

export interface Relay extends Core {
  app: FastifyInstance;
  pool: AccountPool;
  pricing: PricingTable;
  recorder: UsageRecorder;
  upstream: UpstreamClient;
  admin: EnsureAdminResult;
}

export interface BuildOptions {
  log?: Logger;
  clock?: Clock;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
}

export async function createCore(config: ResolvedConfig, opts: BuildOptions = {}): Promise<Core> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const store = opts.store ?? (await openStore(config));
  const secrets = createSecrets(config.encryptionKey);
  const defaults = { anthropicApiUrl: config.anthropicApiUrl };
  return {
    config,
    log,
    clock,
    store,
    secrets,
    keys: new ApiKeyService(store, secrets, clock),
    accounts: new AccountService(store, secrets, defaults, clock),
    auth: new AdminAuth(store, clock, { jwtSecret: config.jwtSecret, sessionHours: config.adminSessionHours }),
    close: () => store.close(),
  };
}

export async function createRelay(config: ResolvedConfig, opts: BuildOptions = {}): Promise<Relay> {
  const startedAt = Date.now();
  const core = await createCore(config, opts);
  const { log, clock, store } = core;
  try {
    const admin = await ensureAdmin(store, clock, { dataDir: config.dataDir, fromEnv: config.admin });
    const pricing = loadPricing({ file: config.pricingFile });
    const pool = new AccountPool(store, core.secrets, { anthropicApiUrl: config.anthropicApiUrl }, clock, log);
    await pool.start();
    const recorder = new UsageRecorder(store, pricing, config.timezoneOffsetHours, log);
    const upstream = createUpstreamClient({ timeoutMs: config.upstreamTimeoutMs });
    const app = await buildApp({
      ...core,
      pool,
      relay: { pool, upstream, recorder, clock, log },
      requestMaxBytes: config.requestMaxBytes,
      timezoneOffsetHours: config.timezoneOffsetHours,
      trustProxy: config.trustProxy,
      version: VERSION,
      startedAt,
    });
    return {
      ...core,
      app,
      pool,
      pricing,
      recorder,
      upstream,
      admin,
      async close() {
        await app.close();
        await pool.stop();
        await recorder.drain();
        await upstream.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
