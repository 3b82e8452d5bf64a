// Key limits on SQLite: counters and concurrency leases, admission in one transaction.
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { AdmitPlan, AdmitResult, LimitCounters, LimitsRepo, QueueStats, SettleItem } from '../types.js';

type Db = Database.Database;

const DAY_MS = 86_400_000;
/** Counter rows outlive their period a little (late settlements, reports). */
const DAILY_TTL_MS = 3 * DAY_MS;
const WEEKLY_TTL_MS = 16 * DAY_MS;

export function sqliteLimits(db: Db, clock: Clock): LimitsRepo {
  const get = db.prepare<[string, string, number], { value: number }>(
    'SELECT value FROM key_counters WHERE key_id = ? AND name = ? AND (expires_at IS NULL OR expires_at > ?)',
  );
  const set = db.prepare(
    'INSERT INTO key_counters (key_id, name, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id, name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
  );
  // Adds to a live row, or starts a fresh one when the row is missing or expired.
  const add = db.prepare(`INSERT INTO key_counters (key_id, name, value, expires_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (key_id, name) DO UPDATE SET
      value = CASE WHEN key_counters.expires_at IS NOT NULL AND key_counters.expires_at <= ? THEN excluded.value ELSE key_counters.value + excluded.value END,
      expires_at = CASE WHEN key_counters.expires_at IS NOT NULL AND key_counters.expires_at <= ? THEN excluded.expires_at ELSE key_counters.expires_at END`);
  const addIfLive = db.prepare('UPDATE key_counters SET value = value + ? WHERE key_id = ? AND name = ? AND expires_at > ?');
  const dropExpiredLeases = db.prepare('DELETE FROM key_leases WHERE key_id = ? AND expires_at <= ?');
  const countLeases = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM key_leases WHERE key_id = ? AND expires_at > ?');
  const addLease = db.prepare('INSERT OR REPLACE INTO key_leases (key_id, lease_id, expires_at) VALUES (?, ?, ?)');
  const delLease = db.prepare('DELETE FROM key_leases WHERE key_id = ? AND lease_id = ?');
  const renewLease = db.prepare('UPDATE key_leases SET expires_at = ? WHERE key_id = ? AND lease_id = ?');
  const delCounters = db.prepare('DELETE FROM key_counters WHERE key_id = ?');
  const delLeases = db.prepare('DELETE FROM key_leases WHERE key_id = ?');
  // The wait queue: FIFO by (enqueued_at, waiter_id), as the Redis sorted set orders it.
  const dropExpiredWaiters = db.prepare('DELETE FROM key_waiters WHERE key_id = ? AND expires_at <= ?');
  const waiterAt = db.prepare<[string, string], { enqueued_at: number }>('SELECT enqueued_at FROM key_waiters WHERE key_id = ? AND waiter_id = ?');
  const waitersAhead = db.prepare<[string, number, number, string], { n: number }>(
    'SELECT COUNT(*) AS n FROM key_waiters WHERE key_id = ? AND (enqueued_at < ? OR (enqueued_at = ? AND waiter_id < ?))',
  );
  const countWaiters = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM key_waiters WHERE key_id = ? AND expires_at > ?');
  const countAllWaiters = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM key_waiters WHERE key_id = ?');
  const addWaiter = db.prepare('INSERT INTO key_waiters (key_id, waiter_id, enqueued_at, expires_at) VALUES (?, ?, ?, ?)');
  const delWaiter = db.prepare('DELETE FROM key_waiters WHERE key_id = ? AND waiter_id = ?');
  const delWaiters = db.prepare('DELETE FROM key_waiters WHERE key_id = ?');

  const val = (keyId: string, name: string, now: number) => get.get(keyId, name, now)?.value ?? 0;
  const bump = (keyId: string, name: string, by: number, now: number) => add.run(keyId, name, by, null, now, now);

  /** The window, cost and token checks (no counting); the refusal, or null when they pass. */
  const refused = (keyId: string, p: AdmitPlan, w: { live: boolean; start: number }): AdmitResult | null => {
    const now = p.now;
    if (p.window && w.live) {
      const windowEndsAt = w.start + p.window.ms;
      if (p.window.maxRequests > 0 && val(keyId, 'win:req', now) >= p.window.maxRequests) return { ok: false, reason: 'window_requests', windowEndsAt };
      if (p.window.maxTokens > 0 && val(keyId, 'win:tok', now) >= p.window.maxTokens) return { ok: false, reason: 'window_tokens', windowEndsAt };
      if (p.window.maxCostNanos > 0 && val(keyId, 'win:cost', now) >= p.window.maxCostNanos) return { ok: false, reason: 'window_cost', windowEndsAt };
    }
    if (p.daily && val(keyId, `day:${p.daily.label}`, now) >= p.daily.maxCostNanos) return { ok: false, reason: 'daily_cost' };
    if (p.total) {
      if (p.total.maxCostNanos > 0 && val(keyId, 'total:cost', now) >= p.total.maxCostNanos) return { ok: false, reason: 'total_cost' };
      if (p.total.maxTokens > 0 && val(keyId, 'total:tok', now) >= p.total.maxTokens) return { ok: false, reason: 'total_tokens' };
    }
    if (p.weekly && val(keyId, `week:${p.weekly.label}`, now) >= p.weekly.maxCostNanos) return { ok: false, reason: 'weekly_cost' };
    return null;
  };

  /**
   * The concurrency step: null to go on (a slot is free for this request), or the answer (refused, queued). Sets
   * `waited` when a waiter whose turn it is leaves the queue for the slot.
   */
  const concurrencyStep = (keyId: string, p: AdmitPlan, w: { live: boolean; start: number }, waited: { ms: number }): AdmitResult | null => {
    const c = p.concurrency!;
    const now = p.now;
    dropExpiredLeases.run(keyId, now);
    const free = c.limit - countLeases.get(keyId, now)!.n;
    if (!c.queue) return free <= 0 ? { ok: false, reason: 'concurrency' } : null;
    const q = c.queue;
    dropExpiredWaiters.run(keyId, now);
    const at = waiterAt.get(keyId, q.waiterId)?.enqueued_at;
    if (at !== undefined) {
      const rank = waitersAhead.get(keyId, at, at, q.waiterId)!.n;
      if (rank >= free) return { ok: false, reason: 'queued', position: rank + 1 };
      delWaiter.run(keyId, q.waiterId);
      waited.ms = now - at;
      return null;
    }
    const waiting = countAllWaiters.get(keyId)!.n;
    if (free > waiting) return null;
    const r = refused(keyId, p, w);
    if (r) return r;
    if (waiting >= q.maxWaiting) {
      bump(keyId, 'q:rejected', 1, now);
      return { ok: false, reason: 'queue_full' };
    }
    addWaiter.run(keyId, q.waiterId, now, now + q.ttlMs);
    bump(keyId, 'q:entered', 1, now);
    return { ok: false, reason: 'queued', position: waiting + 1 };
  };

  const admit = db.transaction((keyId: string, p: AdmitPlan): AdmitResult => {
    const now = p.now;
    let windowStart = 0;
    let live = false;
    if (p.window) {
      const start = get.get(keyId, 'win:start', now)?.value;
      live = start !== undefined && start + p.window.ms > now;
      windowStart = live && start !== undefined ? start : now;
    }
    const w = { live, start: windowStart };
    const waited = { ms: -1 };
    if (p.concurrency) {
      const r = concurrencyStep(keyId, p, w, waited);
      if (r) return r;
    }
    const r = refused(keyId, p, w);
    if (r) return r;
    // Every check passed: take the slot and count the request.
    if (p.concurrency) addLease.run(keyId, p.concurrency.leaseId, now + p.concurrency.ttlMs);
    if (waited.ms >= 0) {
      bump(keyId, 'q:served', 1, now);
      bump(keyId, 'q:waitMs', waited.ms, now);
    }
    if (p.window) {
      const exp = windowStart + p.window.ms;
      if (!live) {
        set.run(keyId, 'win:start', now, exp);
        for (const n of ['win:tok', 'win:cost']) set.run(keyId, n, 0, exp);
        set.run(keyId, 'win:req', 1, exp);
      } else {
        addIfLive.run(1, keyId, 'win:req', now);
      }
    }
    return { ok: true };
  });

  const settle = db.transaction((items: readonly SettleItem[]) => {
    for (const it of items) {
      add.run(it.keyId, 'total:cost', it.costNanos, null, it.at, it.at);
      add.run(it.keyId, 'total:tok', it.tokens, null, it.at, it.at);
      add.run(it.keyId, `day:${it.dailyLabel}`, it.costNanos, it.at + DAILY_TTL_MS, it.at, it.at);
      if (it.weeklyLabel) add.run(it.keyId, `week:${it.weeklyLabel}`, it.costNanos, it.at + WEEKLY_TTL_MS, it.at, it.at);
      // The window gets the request's tokens and cost while that window still runs.
      addIfLive.run(it.tokens, it.keyId, 'win:tok', it.at);
      addIfLive.run(it.costNanos, it.keyId, 'win:cost', it.at);
    }
  });

  return {
    async admit(keyId, plan) {
      return admit(keyId, plan);
    },
    async release(keyId, leaseId) {
      delLease.run(keyId, leaseId);
      return countAllWaiters.get(keyId)!.n;
    },
    async leaveQueue(keyId, waiterId, outcome) {
      if (delWaiter.run(keyId, waiterId).changes > 0) bump(keyId, outcome === 'timeout' ? 'q:timeouts' : 'q:cancelled', 1, clock.now());
    },
    async queueStats(keyId, now): Promise<QueueStats> {
      const n = (name: string) => val(keyId, `q:${name}`, now);
      return {
        waiting: countWaiters.get(keyId, now)!.n,
        entered: n('entered'),
        served: n('served'),
        timeouts: n('timeouts'),
        cancelled: n('cancelled'),
        rejected: n('rejected'),
        waitMsTotal: n('waitMs'),
      };
    },
    async renew(keyId, leaseId, ttlMs, now) {
      renewLease.run(now + ttlMs, keyId, leaseId);
    },
    async settle(items) {
      if (items.length) settle(items);
    },
    async counters(keyId, q): Promise<LimitCounters> {
      const start = get.get(keyId, 'win:start', q.now)?.value;
      const window =
        start !== undefined && start + q.windowMs > q.now
          ? { start, requests: val(keyId, 'win:req', q.now), tokens: val(keyId, 'win:tok', q.now), costNanos: val(keyId, 'win:cost', q.now) }
          : null;
      return {
        window,
        dailyCostNanos: val(keyId, `day:${q.dailyLabel}`, q.now),
        weeklyCostNanos: q.weeklyLabel ? val(keyId, `week:${q.weeklyLabel}`, q.now) : 0,
        totalCostNanos: val(keyId, 'total:cost', q.now),
        totalTokens: val(keyId, 'total:tok', q.now),
        inFlight: countLeases.get(keyId, q.now)!.n,
      };
    },
    async reset(keyId) {
      delCounters.run(keyId);
      delLeases.run(keyId);
      delWaiters.run(keyId);
    },
    async seed(keyId, x) {
      db.transaction(() => {
        set.run(keyId, 'total:cost', x.totalCostNanos, null);
        set.run(keyId, 'total:tok', x.totalTokens, null);
        set.run(keyId, `day:${x.daily.label}`, x.daily.costNanos, x.now + DAILY_TTL_MS);
        if (x.weekly) set.run(keyId, `week:${x.weekly.label}`, x.weekly.costNanos, x.now + WEEKLY_TTL_MS);
      })();
    },
  };
}
