// The request-log retention job: every instance deletes entries older than Settings › Data & retention's
// `requestLogDays` shortly after start, then hourly, and at once when the setting changes. Deleting is idempotent,
// so several instances pruning at the same time do no harm. Aggregates (usage statistics) are never touched.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Store } from '../store/types.js';
import type { SettingsService } from '../admin/settings.js';

const DAY_MS = 86_400_000;

export interface RetentionResult {
  before: number;
  removed: number;
}

export class RequestLogRetention {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running: Promise<RetentionResult | null> | null = null;
  private offSettings: (() => void) | null = null;
  /** The last completed run (for the Settings page). */
  last: { at: number; removed: number; before: number } | null = null;

  constructor(private readonly deps: { store: Store; settings: SettingsService; clock: Clock; log: Logger; intervalMs?: number; startDelayMs?: number }) {}

  start(): void {
    if (this.timer) return;
    const interval = this.deps.intervalMs ?? 3_600_000;
    this.first = setTimeout(() => void this.run(), this.deps.startDelayMs ?? 30_000).unref();
    this.timer = setInterval(() => void this.run(), interval).unref();
    this.offSettings = this.deps.settings.onChange((name) => {
      if (name === 'retention') void this.run();
    });
  }

  stop(): void {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    this.first = this.timer = null;
    this.offSettings?.();
    this.offSettings = null;
  }

  /** One pass (runs never overlap); a store failure is logged and retried at the next tick. */
  run(): Promise<RetentionResult | null> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<RetentionResult | null> {
    const days = this.deps.settings.get('retention').requestLogDays;
    const now = this.deps.clock.now();
    const before = now - days * DAY_MS;
    try {
      const removed = await this.deps.store.usage.pruneRequests(before);
      this.last = { at: now, removed, before };
      if (removed) this.deps.log.info({ removed, days }, 'request log pruned');
      return { before, removed };
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'request log not pruned');
      return null;
    }
  }
}
