// The composition root: config → store → services → app. main.ts, the CLI and the tests all build the relay here.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadPricing, type PricingTable } from './accounting/pricing.js';
import { UsageRecorder } from './accounting/recorder.js';
import type { ResolvedConfig } from './config/secrets-file.js';
import { systemClock, type Clock } from './core/clock.js';
import { buildApp } from './http/app.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createSecrets, type Secrets } from './platform/secrets.js';
import { privateDir } from './platform/private-files.js';
import { tuneV8 } from './platform/v8-tuning.js';
import { AccountPool } from './accounts/pool.js';
import { AccountService } from './accounts/accounts.js';
import { GroupService } from './accounts/groups.js';
import { AdminAuth, ensureAdmin, type EnsureAdminResult } from './admin/admin-auth.js';
import { ApiKeyService } from './keys/api-keys.js';
import { AccountHealth } from './accounts/health/state.js';
import { Credentials } from './accounts/credentials.js';
import { OAuthSessions } from './accounts/oauth-sessions.js';
import { TokenImport } from './accounts/token-import.js';
import { AutoPause } from './accounts/health/auto-pause.js';
import { UsageWindows } from './accounts/health/usage-windows.js';
import type { ProviderDefaults } from './providers/types.js';
import { StickySessions } from './scheduling/sticky-sessions.js';
import { HealthProbe } from './accounts/health/probe.js';
import { KeyGate } from './keys/key-gate.js';
import { StatsSessions } from './keys/stats-sessions.js';
import { StoreHealth } from './ops/store-health.js';
import { UsageQueries } from './accounting/usage-queries.js';
import { createAlerts, type Alerts } from './ops/alerts/index.js';
import { registerQueueMetrics } from './ops/queue-metrics.js';
import { SettingsService } from './admin/settings.js';
import { cooldownPolicy, relayDefaultsFromConfig, stickyTimings } from './admin/settings-schemas.js';
import { RequestLogRetention } from './ops/request-log-retention.js';
import { AccountHistory } from './accounts/history.js';
import { AccountTester } from './accounts/tester.js';
import { ScheduledTestRunner } from './accounts/scheduled-tests/runner.js';
import { TestSchedules } from './accounts/scheduled-tests/schedules.js';
import { WaitQueue } from './keys/wait-queue.js';
import { openStore } from './store/index.js';
import { instrumentStore } from './store/instrument.js';
import { buildMetricsApp, metricsRoute, trackInFlight } from './http/metrics.js';
import { RelayMetrics } from './ops/relay-metrics.js';
import type { Store } from './store/types.js';
import { createUpstreamClient, type UpstreamClient } from './upstream/client.js';
import { createDispatcherPool } from './upstream/dispatchers.js';

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
  groups: GroupService;
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
  health: AccountHealth;
  probe: HealthProbe;
  metrics: RelayMetrics;
  credentials: Credentials;
  windows: UsageWindows;
  oauthSessions: OAuthSessions;
  settings: SettingsService;
  alerts: Alerts;
  waiters: WaitQueue;
  /** Runs the accounts' scheduled tests in the background (tests call tick() with an injected clock). */
  scheduledTests: ScheduledTestRunner;
  /** The separate /metrics listener's app when METRICS_BIND is set (main.ts listens on it), else null. */
  metricsApp: FastifyInstance | null;
}

export interface BuildOptions {
  log?: Logger;
  clock?: Clock;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
  /** Told about every failed store operation (metrics). */
  onStoreError?: () => void;
}

export async function createCore(config: ResolvedConfig, opts: BuildOptions = {}): Promise<Core> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const opened = opts.store ?? (await openStore(config, { clock }));
  const store = opts.onStoreError ? instrumentStore(opened, opts.onStoreError) : opened;
  const secrets = createSecrets(config.encryptionKey);
  const defaults = providerDefaults(config);
  const accounts = new AccountService(store, secrets, defaults, clock);
  return {
    config,
    log,
    clock,
    store,
    secrets,
    keys: new ApiKeyService(store, secrets, clock, config.timezoneOffsetHours),
    accounts,
    groups: new GroupService(store, accounts, clock),
    auth: new AdminAuth(store, clock, { jwtSecret: config.jwtSecret, sessionHours: config.adminSessionHours, scryptN: config.adminScryptN }),
    close: () => store.close(),
  };
}

export async function createRelay(config: ResolvedConfig, opts: BuildOptions = {}): Promise<Relay> {
  tuneV8();
  const startedAt = (opts.clock ?? systemClock).now();
  const metrics = new RelayMetrics({ version: VERSION });
  const core = await createCore(config, { ...opts, onStoreError: metrics.storeError });
  const { log, clock, store } = core;
  try {
    // The relay's own folder (database, secrets, init.json) is 0700; DATA_DIR itself only when created here (in
    // Docker Compose it also holds Redis's folder, owned by another user).
    const problems = [privateDir(config.dataDir, { tightenExisting: false }), privateDir(join(config.dataDir, 'app'))];
    for (const p of problems) if (p) log.warn({ problem: p }, 'data folder permissions not tightened');
    const admin = await ensureAdmin(store, clock, { dataDir: config.dataDir, fromEnv: config.admin, scryptN: config.adminScryptN });
    const pricing = loadPricing({ file: config.pricingFile });
    const defaults = providerDefaults(config);
    const pool = new AccountPool(store, core.secrets, defaults, clock, log);
    await pool.start();
    const recorder = new UsageRecorder(store, pricing, config.timezoneOffsetHours, log);
    // One dispatcher per proxy, shared by relayed requests and OAuth token calls.
    const dispatchers = createDispatcherPool({ timeoutMs: config.upstreamTimeoutMs });
    const upstream = createUpstreamClient({ timeoutMs: config.upstreamTimeoutMs, dispatchers });
    const fetchFor = (proxyUrl: string | null) => dispatchers.fetchFor(proxyUrl) as unknown as typeof fetch;
    // Relay behaviour (stickiness, failover attempts, cooldowns) is a setting whose default is the environment's;
    // the relay reads it per request, so a change applies on every instance without a restart.
    const settings = new SettingsService(store, clock, log, { relay: relayDefaultsFromConfig(config.scheduling) });
    await settings.load();
    const health = new AccountHealth(store, clock, log, () => cooldownPolicy(settings.get('relay'), config.scheduling.cooldowns.maxSec));
    await health.load();
    // Created below (it needs the windows); credential refreshes reach it through this late binding.
    let alerts: Alerts | null = null;
    metrics.attach({ pool, health });
    const sticky = new StickySessions(store, clock, () => stickyTimings(settings.get('relay')));
    const credentials = new Credentials({
      store,
      secrets: core.secrets,
      clock,
      log,
      defaults,
      fetchFor,
      onRefresh: (id, outcome) => alerts?.onRefresh(id, outcome),
    });
    const probe = new HealthProbe({ pool, health, upstream, credentials, clock, log });
    const waiters = new WaitQueue(store, clock, log);
    registerQueueMetrics(metrics.registry, waiters);
    const gate = new KeyGate(store, clock, log, { timezoneOffsetHours: config.timezoneOffsetHours, settings: () => settings.get('relay'), waiters });
    probe.start();
    const retention = new RequestLogRetention({ store, settings, clock, log });
    // Each instance logs the health changes it makes (the account drawer's history).
    const accountHistory = new AccountHistory(store.kv, clock);
    health.onSaved(
      (id, reasons) =>
        void accountHistory.recordHealth(id, reasons).catch((e: Error) => log.warn({ accountId: id, err: e.message }, 'health history not written')),
    );
    retention.start();
    const instance = `${hostname()}:${process.pid}`;
    // The Test button and the scheduled tests send the same request; several instances run a due test once.
    const tester = new AccountTester({ pool, credentials, upstream, history: accountHistory, clock });
    const schedules = new TestSchedules(store.kv, accountHistory, clock, config.timezoneOffsetHours);
    const tz = config.timezoneOffsetHours;
    const scheduledTests = new ScheduledTestRunner({ store, schedules, tester, history: accountHistory, clock, log, timezoneOffsetHours: tz, instance });
    scheduledTests.start();
    const windows = new UsageWindows(store.kv, clock, log);
    const autoPause = new AutoPause({ pool, health, windows, percent: () => settings.get('relay').autoPauseFiveHourPercent, clock, log });
    const stopAutoPause = autoPause.start();
    const stopRecheck = settings.onChange((name) => {
      if (name === 'relay') void autoPause.recheck().catch((e: Error) => log.warn({ err: e.message }, 'auto-pause recheck failed'));
    });
    const oauthSessions = new OAuthSessions({ sessions: store.oauthSessions, secrets: core.secrets, clock, log, defaults, fetchFor });
    const tokenImport = new TokenImport({ accounts: core.accounts, defaults, secrets: core.secrets, clock, fetchFor });
    const alertsReady = createAlerts({
      store,
      secrets: core.secrets,
      clock,
      log,
      settings,
      pool,
      health,
      windows,
      recorder,
      // Webhooks go through the guarded direct agent: a name resolving to a metadata address is refused at dial time.
      fetch: fetchFor(null),
      version: VERSION,
      instance,
      timezoneOffsetHours: config.timezoneOffsetHours,
    });
    alerts = alertsReady;
    await alertsReady.start();
    const app = await buildApp({
      ...core,
      pool,
      health,
      credentials,
      windows,
      oauthSessions,
      tokenImport,
      settings,
      alerts: alertsReady,
      gate,
      usage: new UsageQueries(store, config.timezoneOffsetHours),
      storeHealth: new StoreHealth(store),
      statsSessions: new StatsSessions(store, clock),
      accountHistory,
      pricing,
      tester,
      schedules,
      relay: {
        pool,
        upstream,
        recorder,
        health,
        sticky,
        credentials,
        slots: store.accountSlots,
        clock,
        log,
        maxAttempts: () => settings.get('relay').failoverMaxAttempts,
        observers: [metrics.observe],
        observeUpstream: (entry, headers) => windows.observe(entry, headers),
      },
      requestMaxBytes: config.requestMaxBytes,
      timezoneOffsetHours: config.timezoneOffsetHours,
      trustProxy: config.trustProxy,
      server: config.server,
      version: VERSION,
      startedAt,
    });
    const metricsDeps = { metrics, token: config.metricsToken, public: config.metricsPublic };
    // On a separate bind (METRICS_BIND) /metrics is not on the main port at all; main.ts opens that listener.
    const metricsApp = config.metricsBind ? await buildMetricsApp(metricsDeps) : null;
    if (!metricsApp) await app.register(metricsRoute, metricsDeps);
    trackInFlight(app.server, metrics);
    return {
      ...core,
      app,
      pool,
      pricing,
      recorder,
      upstream,
      admin,
      metrics,
      health,
      credentials,
      windows,
      oauthSessions,
      settings,
      alerts: alertsReady,
      waiters,
      scheduledTests,
      probe,
      metricsApp,
      async close() {
        probe.stop();
        stopAutoPause();
        stopRecheck();
        retention.stop();
        // Scheduled tests in flight are cancelled and recorded while the store is still open.
        await scheduledTests.stop();
        // Requests still waiting for a slot get their 429 now; alerts in flight get a short while to finish.
        waiters.close();
        await alertsReady.stop();
        await metricsApp?.close();
        await app.close();
        // Requests cut by the closing server finish their bookkeeping (usage) before the recorder drains.
        await metrics.settled();
        await pool.stop();
        await recorder.drain();
        await upstream.close();
        await dispatchers.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** What provider adapters read from the configuration (API roots, OAuth endpoints). */
export function providerDefaults(config: ResolvedConfig): ProviderDefaults {
  return {
    anthropicApiUrl: config.anthropicApiUrl,
    claudeOAuth: config.claudeOAuth,
    openaiApiUrl: config.openaiApiUrl,
    codexApiUrl: config.codexApiUrl,
    openaiOAuth: config.openaiOAuth,
    geminiApiUrl: config.geminiApiUrl,
    codeAssistApiUrl: config.codeAssistApiUrl,
    geminiOAuth: config.geminiOAuth,
  };
}
