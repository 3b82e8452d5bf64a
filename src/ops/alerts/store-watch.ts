// Store alerts: each instance pings the store every `storeCheckSeconds`; two failures in a row make it
// "unreachable" (one slow answer is not an outage), the first answer after that "recovered". While the store is
// down no store lock can de-duplicate, so each instance sends its own "unreachable"; "recovered" goes out once.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Store } from '../../store/types.js';
import type { SettingsService } from '../../admin/settings.js';
import type { AlertService } from './service.js';

export interface StoreWatchDeps {
  store: Pick<Store, 'ping' | 'kind'>;
  alerts: Pick<AlertService, 'emit'>;
  settings: Pick<SettingsService, 'get' | 'onChange'>;
  clock: Clock;
  log: Logger;
  instance: string;
  /** Called when the store answers again (e.g. to write what waited). */
  onRecovered?: () => void;
}

/** Failed pings in a row that make an outage. */
const FAILURES = 2;

export class StoreWatch {
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private downSince: number | null = null;
  private stopped = false;
  private checking = false;
  private off: (() => void) | null = null;

  constructor(private readonly deps: StoreWatchDeps) {}

  start(): void {
    this.stopped = false;
    // A new interval applies at once, not after the current (possibly long) one.
    this.off = this.deps.settings.onChange((name) => {
      if (name === 'notifications' && !this.checking && this.timer) {
        clearTimeout(this.timer);
        this.schedule();
      }
    });
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get down(): boolean {
    return this.downSince !== null;
  }

  /** One check (exposed for tests). */
  async check(): Promise<void> {
    const { store, clock, log } = this.deps;
    try {
      await store.ping();
      this.failures = 0;
      if (this.downSince === null) return;
      const downForMs = clock.now() - this.downSince;
      this.downSince = null;
      log.info({ downForMs }, 'store reachable again');
      this.deps.alerts.emit({ type: 'store_recovered', store: store.kind, downForMs }, { key: 'store:recovered', ttlMs: 60_000 });
      this.deps.onRecovered?.();
    } catch (e) {
      this.failures++;
      if (this.failures < FAILURES || this.downSince !== null) return;
      this.downSince = clock.now();
      const error = (e as Error).message.slice(0, 200);
      log.error({ err: error }, 'store unreachable');
      this.deps.alerts.emit({ type: 'store_unreachable', store: store.kind, error }, { key: `store:unreachable:${this.deps.instance}`, local: true });
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const ms = this.deps.settings.get('notifications').storeCheckSeconds * 1000;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checking = true;
      void this.check().finally(() => {
        this.checking = false;
        this.schedule();
      });
    }, ms).unref();
  }
}
