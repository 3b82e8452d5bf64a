// How much of each configured limit a key has used, for the admin list's bars and the key-holder page: read the
// key's counters (one store call) and pair each cap with its use, ratio and reset time. Money in micro-USD.
import { needsAdmission, withKeyDefaults, type ApiKey, type ApiKeyLimits } from '../core/api-key.js';
import { nanosToMicros } from '../core/money.js';
import type { LimitCounters, QueueStats, Store } from '../store/types.js';
import { dayEndsAt, periodLabels, weekEndsAt } from './limits.js';

export type LimitKind = 'tokens_total' | 'cost_total' | 'cost_daily' | 'cost_weekly' | 'window_requests' | 'window_cost' | 'window_tokens' | 'concurrency';

export interface LimitUsage {
  kind: LimitKind;
  limit: number;
  used: number;
  /** used ÷ limit (may pass 1 by the last request's overshoot). */
  ratio: number;
  resetsAt: string | null;
  windowMinutes?: number;
  /** On the concurrency limit: the key's wait queue (waiting now, totals since the last counter reset). */
  queue?: QueueStats;
}

const iso = (t: number) => new Date(t).toISOString();

/** A model name that counts toward the key's weekly family, to name the week's counter. */
function familyModel(l: ApiKeyLimits): string {
  return l.weeklyCostFamily === 'opus' || l.weeklyCostFamily === 'sonnet' || l.weeklyCostFamily === 'haiku' ? `claude-${l.weeklyCostFamily}` : 'claude';
}

/** Pure: the bars of one key from its limits and counters, tightest first. */
export function limitUsage(l: ApiKeyLimits, c: LimitCounters, now: number, offsetHours: number): LimitUsage[] {
  const out: LimitUsage[] = [];
  const add = (kind: LimitKind, limit: number, used: number, resetsAt: number | null, extra: Partial<LimitUsage> = {}) => {
    if (limit > 0) out.push({ kind, limit, used, ratio: used / limit, resetsAt: resetsAt === null ? null : iso(resetsAt), ...extra });
  };
  const windowMs = l.rateLimitWindow * 60_000;
  const w = c.window && windowMs > 0 && c.window.start + windowMs > now ? c.window : null;
  const windowEnd = w ? w.start + windowMs : null;
  if (windowMs > 0) {
    add('window_requests', l.rateLimitRequests, w?.requests ?? 0, windowEnd, { windowMinutes: l.rateLimitWindow });
    add('window_tokens', l.tokenLimit, w?.tokens ?? 0, windowEnd, { windowMinutes: l.rateLimitWindow });
    add('window_cost', nanosToMicros(l.rateLimitCostNanos), nanosToMicros(w?.costNanos ?? 0), windowEnd, { windowMinutes: l.rateLimitWindow });
  } else {
    add('tokens_total', l.tokenLimit, c.totalTokens, null);
  }
  add('cost_daily', nanosToMicros(l.dailyCostLimitNanos), nanosToMicros(c.dailyCostNanos), dayEndsAt(now, offsetHours));
  add('cost_weekly', nanosToMicros(l.weeklyOpusCostLimitNanos), nanosToMicros(c.weeklyCostNanos), weekEndsAt(l, now, offsetHours));
  add('cost_total', nanosToMicros(l.totalCostLimitNanos), nanosToMicros(c.totalCostNanos), null);
  add('concurrency', l.concurrencyLimit, c.inFlight, null);
  return out.sort((a, b) => b.ratio - a.ratio);
}

/** Reads a key's counters and returns its bars; none (and no store call) when the key has no counted limit. */
export async function readLimitUsage(store: Pick<Store, 'limits'>, key: ApiKey, now: number, offsetHours: number): Promise<LimitUsage[]> {
  const l = withKeyDefaults(key).limits;
  if (!needsAdmission(l)) return [];
  const labels = periodLabels(l, familyModel(l), now, offsetHours);
  const [c, queue] = await Promise.all([
    store.limits.counters(key.id, { now, dailyLabel: labels.daily, weeklyLabel: labels.weekly, windowMs: l.rateLimitWindow * 60_000 }),
    l.concurrencyLimit > 0 ? store.limits.queueStats(key.id, now) : null,
  ]);
  const out = limitUsage(l, c, now, offsetHours);
  const conc = out.find((u) => u.kind === 'concurrency');
  if (conc && queue) conc.queue = queue;
  return out;
}
