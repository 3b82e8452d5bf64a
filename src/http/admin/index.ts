// The admin API at /admin: every route requires an admin session (Authorization: Bearer <token>, or the web UI's
// session cookie) except the few marked public (login).
import type { FastifyInstance } from 'fastify';
import type { PricingTable } from '../../accounting/pricing.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { AccountPool } from '../../accounts/pool.js';
import type { AccountHealth } from '../../accounts/health/state.js';
import type { AccountService } from '../../accounts/accounts.js';
import type { GroupService } from '../../accounts/groups.js';
import type { Credentials } from '../../accounts/credentials.js';
import type { OAuthSessions } from '../../accounts/oauth-sessions.js';
import type { TokenImport } from '../../accounts/token-import.js';
import type { AccountWindows } from '../../accounts/health/usage-windows.js';
import type { AdminAuth } from '../../admin/admin-auth.js';
import type { ApiKeyService } from '../../keys/api-keys.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import type { AccountHistory } from '../../accounts/history.js';
import type { KeyGate } from '../../keys/key-gate.js';
import type { StoreHealth } from '../../ops/store-health.js';
import type { Alerts } from '../../ops/alerts/index.js';
import type { SettingsService } from '../../admin/settings.js';
import type { AccountTester } from '../../accounts/tester.js';
import type { TestSchedules } from '../../accounts/scheduled-tests/schedules.js';
import { accountRoutes } from './accounts.js';
import { alertRoutes } from './alerts.js';
import { settingsRoutes } from './settings.js';
import { scheduledTestRoutes } from './scheduled-tests.js';
import { groupRoutes } from './groups.js';
import { apiKeyRoutes } from './api-keys.js';
import { useAdminErrors } from './errors.js';
import { oauthRoutes } from './oauth.js';
import { tokenImportRoutes } from './token-import.js';
import { usageRoutes } from './usage.js';
import { accountExtraRoutes } from './account-extras.js';
import { analyticsRoutes } from './analytics.js';
import { keyExtraRoutes } from './key-extras.js';
import { openApiRoutes } from './openapi.js';
import { overviewRoutes } from './overview.js';
import { requestRoutes } from './requests.js';
import { authenticateAdminRequest, sessionRoutes } from './session.js';
import { systemRoutes } from './system.js';
import type { RelayDeps } from '../../relay/relay.js';

export interface AdminDeps {
  auth: AdminAuth;
  keys: ApiKeyService;
  accounts: AccountService;
  groups: GroupService;
  pool: AccountPool;
  health: AccountHealth;
  credentials: Credentials;
  windows: AccountWindows;
  oauthSessions: OAuthSessions;
  tokenImport: TokenImport;
  /** Usage statistics, the request log and limit bars. */
  usage: UsageQueries;
  /** Whether the store answers (the system page). */
  storeHealth: StoreHealth;
  /** Key admission (the counters reset). */
  gate: KeyGate;
  /** Account health changes and last tests (the account drawer). */
  accountHistory: AccountHistory;
  settings: SettingsService;
  alerts: Alerts;
  pricing: PricingTable;
  /** The one-request account test (Test button, scheduled tests). */
  tester: AccountTester;
  schedules: TestSchedules;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  requestMaxBytes: number;
  relay: RelayDeps;
  version: string;
  startedAt: number;
}

export async function adminApi(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  app.addHook('onRequest', async (request) => {
    // Bearer token (scripts) or the browser session cookie (+ CSRF header on mutations); public routes pass.
    request.admin = await authenticateAdminRequest(request, deps);
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  accountRoutes(app, deps);
  groupRoutes(app, deps);
  oauthRoutes(app, deps);
  tokenImportRoutes(app, deps);
  apiKeyRoutes(app, deps);
  usageRoutes(app, deps);
  sessionRoutes(app, deps);
  overviewRoutes(app, deps);
  analyticsRoutes(app, deps);
  requestRoutes(app, deps);
  systemRoutes(app, deps);
  keyExtraRoutes(app, deps);
  accountExtraRoutes(app, deps);
  scheduledTestRoutes(app, deps);
  settingsRoutes(app, deps);
  alertRoutes(app, deps);
  openApiRoutes(app, deps);
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: { username: string; expiresAt: number; sid: string };
  }
}
