// Key alerts: a key nearing (the Settings percentage, 80 % by default) or reaching one of its cost limits (daily,
// weekly, total, rate window). Checked after its counters were settled, at most once a second per key; each level
// of each limit is sent once per period (the period's reset time is part of the de-duplication key).
import { readLimitUsage, type LimitUsage } from '../../accounting/limit-usage.js';
import { withKeyDefaults } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { SettleItem, Store } from '../../store/types.js';
import type { SettingsService } from '../../admin/settings.js';
import type { CostLimitKind } from './messages.js';
import type { AlertService } from './service.js';

const COST_KINDS: readonly string[] = ['cost_daily', 'cost_weekly', 'cost_total', 'window_cost'] satisfies CostLimitKind[];
/** A total limit has no period: its levels are remembered this long. */
const TOTAL_KEEP_MS = 30 * 86_400_000;

/** Pure: which level a limit's use is at ('hit' at 100 %, 'near' from `nearRatio`), or null. */
export function limitLevel(u: Pick<LimitUsage, 'ratio'>, nearRatio: number): 'hit' | 'near' | null {
  if (u.ratio >= 1) return 'hit';
  if (u.ratio >= nearRatio) return 'near';
  return null;
}

export interface KeyWatchDeps {
  alerts: Pick<AlertService, 'emit'>;
  store: Store;
  settings: Pick<SettingsService, 'get'>;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  /** Coalescing delay (ms). Default 1000. */
  delayMs?: number;
}

export class KeyWatch {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: KeyWatchDeps) {}

  /** The recorder settled these requests: their keys are checked shortly (once per key). */
  onSettled(items: readonly SettleItem[]): void {
    for (const it of items) this.pending.add(it.keyId);
    this.timer ??= setTimeout(() => void this.run(), this.deps.delayMs ?? 1000).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    this.timer = null;
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) await this.check(id).catch((e: unknown) => this.deps.log.warn({ keyId: id, err: (e as Error).message }, 'key alert check failed'));
  }

  /** Compares one key's cost counters with its limits and raises what crossed a level. */
  async check(keyId: string): Promise<void> {
    const raw = await this.deps.store.apiKeys.get(keyId);
    if (!raw || raw.deletedAt !== null) return;
    const key = withKeyDefaults(raw);
    const l = key.limits;
    if (l.dailyCostLimitNanos <= 0 && l.weeklyOpusCostLimitNanos <= 0 && l.totalCostLimitNanos <= 0 && !(l.rateLimitWindow > 0 && l.rateLimitCostNanos > 0))
      return;
    const now = this.deps.clock.now();
    const near = this.deps.settings.get('notifications').nearLimitPercent / 100;
    for (const u of await readLimitUsage(this.deps.store, key, now, this.deps.timezoneOffsetHours)) {
      if (!COST_KINDS.includes(u.kind)) continue;
      const level = limitLevel(u, near);
      if (!level) continue;
      const resetsAt = u.resetsAt ? Date.parse(u.resetsAt) : null;
      const ttlMs = resetsAt ? Math.max(60_000, resetsAt - now) : TOTAL_KEEP_MS;
      this.deps.alerts.emit(
        {
          type: level === 'hit' ? 'key_limit_reached' : 'key_near_limit',
          key: { id: key.id, name: key.name },
          limit: u.kind as CostLimitKind,
          usedUsd: u.used / 1e6,
          limitUsd: u.limit / 1e6,
          ratio: u.ratio,
          resetsAt,
        },
        { key: `key:${key.id}:${u.kind}:${u.resetsAt ?? 'total'}:${level}`, ttlMs },
      );
    }
  }
}
