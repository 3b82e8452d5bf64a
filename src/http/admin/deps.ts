// What the admin API's handlers are built from (the composition root passes them to adminApi).
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
import type { UsageWindows } from '../../accounts/health/usage-windows.js';
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
import type { RelayDeps } from '../../relay/relay.js';

export interface AdminDeps {
  auth: AdminAuth;
  keys: ApiKeyService;
  accounts: AccountService;
  groups: GroupService;
  pool: AccountPool;
  health: AccountHealth;
  credentials: Credentials;
  windows: UsageWindows;
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
