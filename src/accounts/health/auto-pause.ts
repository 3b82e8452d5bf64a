// Auto-pause (Settings › Relay behaviour): a subscription account whose 5-hour window is at least the threshold
// full leaves the rotation until that window resets, so a conversation does not run into the hard 429 mid-stream and
// the quota's last part is kept. It is held as a health reason (`usage_paused`, until the reset), so every instance,
// the selector, the admin views and the operator's reset treat it like any other; a new observation under the
// threshold, or a higher threshold or none, lifts it.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { HealthReason } from '../../scheduling/health-policy.js';
import type { AccountPool } from '../pool.js';
import type { AccountHealth } from './state.js';
import type { UsageWindows, StoredWindow } from './usage-windows.js';

const FIVE_HOURS_MS = 5 * 3600_000;
const isPause = (r: HealthReason) => r.code === 'usage_paused';

/** Pure: the reason to hold for these windows at a threshold (percent, 0 = off), or null. */
export function autoPauseReason(windows: readonly StoredWindow[], percent: number, now: number): HealthReason | null {
  if (percent <= 0) return null;
  const w = windows.find((x) => x.id === '5h');
  if (!w || w.utilization * 100 < percent) return null;
  // Without a reset time the window ends at most five hours after it was seen.
  const until = w.resetsAt ?? w.observedAt + FIVE_HOURS_MS;
  if (until <= now) return null;
  return {
    code: 'usage_paused',
    message: `5-hour window ${Math.round(w.utilization * 100)}% used; auto-pause at ${percent}%`,
    source: 'operator',
    since: now,
    until,
  };
}

export interface AutoPauseDeps {
  pool: AccountPool;
  health: AccountHealth;
  windows: UsageWindows;
  /** The threshold now (percent, 0 = off). */
  percent: () => number;
  clock: Clock;
  log: Logger;
}

export class AutoPause {
  constructor(private readonly d: AutoPauseDeps) {}

  /** Watches the windows this instance stores; returns the unsubscribe. */
  start(): () => void {
    return this.d.windows.onSaved((id, windows) => void this.apply(id, windows).catch((e: Error) => this.failed(id, e)));
  }

  /** The threshold changed: every account's stored windows are judged again. */
  async recheck(): Promise<void> {
    const ids = this.d.pool.all().map((e) => e.account.id);
    const all = await this.d.windows.getMany(ids);
    await Promise.all(ids.map((id, i) => this.apply(id, all[i]).catch((e: Error) => this.failed(id, e))));
  }

  /** Holds, moves or lifts the account's pause to match its windows. */
  async apply(id: string, windows: readonly StoredWindow[]): Promise<void> {
    const want = autoPauseReason(windows, this.d.percent(), this.d.clock.now());
    const held = this.d.health.get(id).find(isPause);
    if (want) {
      if (held?.until !== want.until) await this.d.health.hold(id, want);
    } else if (held) await this.d.health.clear(id, isPause);
  }

  private failed(id: string, e: Error): void {
    this.d.log.warn({ accountId: id, err: e.message }, 'auto-pause not applied');
  }
}
