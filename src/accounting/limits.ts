// Key limits as pure functions: what to check for a request (the admission plan), which period labels it counts
// in, and the refusal a failed check becomes. No I/O; the store does the atomic part.
import type { ApiKeyLimits, ClientId, Service } from '../core/api-key.js';
import { RelayError } from '../core/errors.js';
import { nanosToUsd } from '../core/money.js';
import { bucketLabel, bucketStart } from '../core/time-buckets.js';
import type { AdmitPlan, AdmitRefusal } from '../store/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const pad = (n: number) => String(n).padStart(2, '0');

/** Start of the key's current week (epoch ms): the last reset day/hour in the reporting time zone. */
export function weekStart(now: number, offsetHours: number, resetDay: number, resetHour: number): number {
  const local = new Date(now + offsetHours * HOUR);
  const isoDay = ((local.getUTCDay() + 6) % 7) + 1; // 1 = Monday … 7 = Sunday
  let start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), resetHour) - ((isoDay - resetDay + 7) % 7) * DAY;
  if (start > local.getTime()) start -= 7 * DAY;
  return start - offsetHours * HOUR;
}

function localLabel(ts: number, offsetHours: number): string {
  const d = new Date(ts + offsetHours * HOUR);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`;
}

function familyOf(model: string): string | null {
  const m = /(opus|sonnet|haiku)/i.exec(model);
  return m ? m[1].toLowerCase() : null;
}

/** Whether a request for `model` counts toward the key's weekly cap. */
export function countsWeekly(l: ApiKeyLimits, model: string): boolean {
  if (l.weeklyOpusCostLimitNanos <= 0) return false;
  if (l.weeklyCostFamily === 'all') return true;
  const family = familyOf(model);
  if (l.weeklyCostFamily === 'claude') return family !== null || /claude/i.test(model);
  return family === l.weeklyCostFamily;
}

/** The period labels a request at `now` counts in (daily: reporting day; weekly: the key's week and family). */
export function periodLabels(l: ApiKeyLimits, model: string, now: number, offsetHours: number): { daily: string; weekly: string | null } {
  const weekly = countsWeekly(l, model)
    ? `${localLabel(weekStart(now, offsetHours, l.weeklyResetDay, l.weeklyResetHour), offsetHours)}:${l.weeklyCostFamily}`
    : null;
  return { daily: bucketLabel(now, 'day', offsetHours), weekly };
}

/** What the store must check and count for this request; null when the key has no counted limit. */
export function admissionPlan(
  l: ApiKeyLimits,
  ctx: { model: string; now: number; offsetHours: number; leaseId: string; leaseTtlMs: number },
): AdmitPlan | null {
  const plan: AdmitPlan = { now: ctx.now };
  let any = false;
  if (l.concurrencyLimit > 0) {
    plan.concurrency = { limit: l.concurrencyLimit, leaseId: ctx.leaseId, ttlMs: ctx.leaseTtlMs };
    any = true;
  }
  const windowed = l.rateLimitWindow > 0;
  if (windowed && (l.rateLimitRequests > 0 || l.rateLimitCostNanos > 0 || l.tokenLimit > 0)) {
    plan.window = { ms: l.rateLimitWindow * 60_000, maxRequests: l.rateLimitRequests, maxTokens: l.tokenLimit, maxCostNanos: l.rateLimitCostNanos };
    any = true;
  }
  const labels = periodLabels(l, ctx.model, ctx.now, ctx.offsetHours);
  if (l.dailyCostLimitNanos > 0) {
    plan.daily = { label: labels.daily, maxCostNanos: l.dailyCostLimitNanos };
    any = true;
  }
  const totalTokens = !windowed && l.tokenLimit > 0 ? l.tokenLimit : 0;
  if (l.totalCostLimitNanos > 0 || totalTokens > 0) {
    plan.total = { maxCostNanos: l.totalCostLimitNanos, maxTokens: totalTokens };
    any = true;
  }
  if (labels.weekly) {
    plan.weekly = { label: labels.weekly, maxCostNanos: l.weeklyOpusCostLimitNanos };
    any = true;
  }
  return any ? plan : null;
}

function matches(pattern: string, model: string): boolean {
  const p = pattern.toLowerCase();
  const m = model.toLowerCase();
  if (p.endsWith('*')) return m.startsWith(p.slice(0, -1));
  // a listed model also covers its dated ids (claude-opus-4-8 → claude-opus-4-8-20260101)
  return m === p || m.startsWith(p + '-2');
}

export function modelAllowed(l: ApiKeyLimits, model: string): boolean {
  if (!l.enableModelRestriction || l.restrictedModels.length === 0) return true;
  const listed = l.restrictedModels.some((p) => matches(p, model));
  return l.modelRestrictionMode === 'whitelist' ? listed : !listed;
}

export function serviceAllowed(l: ApiKeyLimits, service: Service): boolean {
  return l.permissions.length === 0 || l.permissions.includes(service);
}

export function clientAllowed(l: ApiKeyLimits, client: ClientId | null): boolean {
  return !l.enableClientRestriction || (client !== null && l.allowedClients.includes(client));
}

/** When the key's current day / week ends (epoch ms). */
export function dayEndsAt(now: number, offsetHours: number): number {
  return bucketStart(bucketLabel(now, 'day', offsetHours), offsetHours) + DAY;
}

export function weekEndsAt(l: ApiKeyLimits, now: number, offsetHours: number): number {
  return weekStart(now, offsetHours, l.weeklyResetDay, l.weeklyResetHour) + 7 * DAY;
}

const iso = (t: number) => new Date(t).toISOString();
/** A cost limit as operators typed it: `$0.1`, `$10`. */
const usd = (nanos: number) => `$${nanosToUsd(nanos)}`;

/** The refusal a failed admission becomes, with retry-after where waiting helps. */
export function refusal(
  reason: AdmitRefusal,
  l: ApiKeyLimits,
  ctx: { now: number; offsetHours: number; windowEndsAt?: number; queue?: { maxWaiting: number; maxWaitMs: number } },
): RelayError {
  const secs = (t: number) => Math.max(1, Math.ceil((t - ctx.now) / 1000));
  switch (reason) {
    case 'concurrency':
      return new RelayError('KEY_CONCURRENCY_LIMIT', `Concurrency limit exceeded: this key allows ${l.concurrencyLimit} request(s) at once`, {
        retryAfterSec: 1,
      });
    case 'queue_full': {
      // As the reference project: the queue is full, so try again after about one maximum wait.
      const retryAfterSec = Math.max(1, Math.ceil((ctx.queue?.maxWaitMs ?? 1000) / 1000));
      return new RelayError(
        'KEY_CONCURRENCY_LIMIT',
        `Concurrency queue full: this key allows ${l.concurrencyLimit} request(s) at once and ${ctx.queue?.maxWaiting ?? 0} waiting`,
        { retryAfterSec, details: { queue: 'full' } },
      );
    }
    case 'window_requests':
    case 'window_tokens':
    case 'window_cost': {
      const ends = ctx.windowEndsAt ?? ctx.now + l.rateLimitWindow * 60_000;
      const what =
        reason === 'window_requests' ? `${l.rateLimitRequests} requests` : reason === 'window_tokens' ? `${l.tokenLimit} tokens` : usd(l.rateLimitCostNanos);
      return new RelayError('KEY_RATE_LIMITED', `Rate limit exceeded: ${what} per ${l.rateLimitWindow} minute(s); resets at ${iso(ends)}`, {
        retryAfterSec: secs(ends),
        details: { resetAt: iso(ends) },
      });
    }
    case 'daily_cost': {
      const ends = dayEndsAt(ctx.now, ctx.offsetHours);
      return new RelayError('KEY_DAILY_COST_LIMIT', `Daily cost limit of ${usd(l.dailyCostLimitNanos)} reached; resets at ${iso(ends)}`, {
        retryAfterSec: secs(ends),
        details: { resetAt: iso(ends) },
      });
    }
    case 'weekly_cost': {
      const ends = weekEndsAt(l, ctx.now, ctx.offsetHours);
      return new RelayError(
        'KEY_WEEKLY_COST_LIMIT',
        `Weekly ${l.weeklyCostFamily} cost limit of ${usd(l.weeklyOpusCostLimitNanos)} reached; resets at ${iso(ends)}`,
        { retryAfterSec: secs(ends), details: { resetAt: iso(ends) } },
      );
    }
    case 'total_cost':
      return new RelayError('KEY_TOTAL_COST_LIMIT', `Total cost limit of ${usd(l.totalCostLimitNanos)} reached`);
    case 'total_tokens':
      return new RelayError('KEY_TOKEN_LIMIT', `Token limit of ${l.tokenLimit} reached`);
  }
}

/** Past use of a key, from the usage aggregates, in the shape the counters keep (for seeding them). */
export async function pastUse(
  query: (q: {
    granularity: 'hour' | 'day' | 'month';
    fromBucket: string;
    toBucket: string;
    keyId: string;
  }) => Promise<{ model: string; costNanos: number; input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }[]>,
  keyId: string,
  l: ApiKeyLimits,
  now: number,
  offsetHours: number,
) {
  const tokens = (r: { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }) =>
    r.input + r.output + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
  const months = await query({ granularity: 'month', fromBucket: '2000-01', toBucket: bucketLabel(now, 'month', offsetHours), keyId });
  const today = bucketLabel(now, 'day', offsetHours);
  const days = await query({ granularity: 'day', fromBucket: today, toBucket: today, keyId });
  const labels = periodLabels(l, l.weeklyCostFamily === 'all' || l.weeklyCostFamily === 'claude' ? 'claude' : `claude-${l.weeklyCostFamily}`, now, offsetHours);
  let weekly: { label: string; costNanos: number } | null = null;
  if (labels.weekly) {
    const start = weekStart(now, offsetHours, l.weeklyResetDay, l.weeklyResetHour);
    const hours = await query({
      granularity: 'hour',
      fromBucket: bucketLabel(start, 'hour', offsetHours),
      toBucket: bucketLabel(now, 'hour', offsetHours),
      keyId,
    });
    weekly = { label: labels.weekly, costNanos: hours.filter((r) => countsWeekly(l, r.model)).reduce((s, r) => s + r.costNanos, 0) };
  }
  return {
    now,
    totalCostNanos: months.reduce((s, r) => s + r.costNanos, 0),
    totalTokens: months.reduce((s, r) => s + tokens(r), 0),
    daily: { label: labels.daily, costNanos: days.reduce((s, r) => s + r.costNanos, 0) },
    weekly,
  };
}
