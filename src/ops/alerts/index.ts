// Builds the alerts: channels, history, the sending service, and the watchers that raise events from the relay's
// own state (account health, refreshes, usage windows, key counters, the store). One call from the composition root.
import type { UsageRecorder } from '../../accounting/recorder.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Secrets } from '../../platform/secrets.js';
import type { Store } from '../../store/types.js';
import type { AccountHealth } from '../../accounts/health/state.js';
import type { AccountPool } from '../../accounts/pool.js';
import type { SettingsService } from '../../admin/settings.js';
import type { UsageWindows } from '../../accounts/health/usage-windows.js';
import { AccountWatch } from './account-watch.js';
import { AlertChannels } from './channels.js';
import type { DeliveryOptions, FetchLike } from './delivery.js';
import { AlertHistory } from './history.js';
import { KeyWatch } from './key-watch.js';
import { AlertService } from './service.js';
import { StoreWatch } from './store-watch.js';

export interface AlertsDeps {
  store: Store;
  secrets: Secrets;
  clock: Clock;
  log: Logger;
  settings: SettingsService;
  pool: AccountPool;
  health: AccountHealth;
  windows: UsageWindows;
  recorder: UsageRecorder;
  fetch: FetchLike;
  version: string;
  instance: string;
  timezoneOffsetHours: number;
  delivery?: Omit<DeliveryOptions, 'fetch' | 'clock'>;
  /** Account sweep interval (ms); default 30 s. */
  sweepMs?: number;
}

export interface Alerts {
  service: AlertService;
  channels: AlertChannels;
  accounts: AccountWatch;
  keys: KeyWatch;
  storeWatch: StoreWatch;
  /** Told about every credential refresh (wired into Credentials). */
  onRefresh: AccountWatch['onRefresh'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAlerts(d: AlertsDeps): Alerts {
  const channels = new AlertChannels(d.store.kv, d.secrets, d.clock);
  const history = new AlertHistory(d.store.kv, d.log);
  const service = new AlertService({
    store: d.store,
    clock: d.clock,
    log: d.log,
    settings: d.settings,
    channels,
    history,
    fetch: d.fetch,
    version: d.version,
    instance: d.instance,
    timezoneOffsetHours: d.timezoneOffsetHours,
    delivery: d.delivery,
  });
  const accounts = new AccountWatch({
    alerts: service,
    kv: d.store.kv,
    clock: d.clock,
    log: d.log,
    account: (id) => {
      const a = d.pool.get(id)?.account;
      return a ? { name: a.name, kind: a.kind, updatedAt: a.updatedAt } : null;
    },
    health: (id) => d.health.get(id),
    windows: (id) => d.windows.get(id),
    sweepMs: d.sweepMs,
  });
  const keys = new KeyWatch({ alerts: service, store: d.store, settings: d.settings, clock: d.clock, log: d.log, timezoneOffsetHours: d.timezoneOffsetHours });
  const storeWatch = new StoreWatch({
    store: d.store,
    alerts: service,
    settings: d.settings,
    clock: d.clock,
    log: d.log,
    instance: d.instance,
    onRecovered: () => void history.flush(),
  });
  const offs: (() => void)[] = [];
  return {
    service,
    channels,
    accounts,
    keys,
    storeWatch,
    onRefresh: (id, outcome) => accounts.onRefresh(id, outcome),
    async start() {
      await service.start();
      offs.push(
        d.health.onSaved((id, reasons) => accounts.onHealth(id, reasons)),
        d.windows.onSaved((id, w) => accounts.onWindows(id, w)),
        d.recorder.onSettled((items) => keys.onSettled(items)),
      );
      accounts.start();
      storeWatch.start();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      accounts.stop();
      keys.stop();
      storeWatch.stop();
      // Deliveries still retrying get a short while; shutdown does not wait out a dead receiver's backoff.
      await Promise.race([service.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
