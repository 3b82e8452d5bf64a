// Key limits on Redis: admission is one Lua script per request (all of a key's state shares one hash tag),
// settlement one pipelined script per finished request.
import type { Redis } from 'ioredis';
import type { AdmitRefusal, LimitsRepo, QueueStats } from '../types.js';
import type { RedisKeys } from './keys.js';
import { scanKeys } from './connection.js';
import { execOrThrow } from './command.js';

const DAY_MS = 86_400_000;
const DAILY_TTL_MS = 3 * DAY_MS;
const WEEKLY_TTL_MS = 16 * DAY_MS;

export type LimitCmd = Redis & {
  crsAdmit(...args: (string | number)[]): Promise<[string, number]>;
  crsSettle(...args: (string | number)[]): Promise<number>;
  crsLeaveQueue(...args: (string | number)[]): Promise<number>;
};

export function redisLimits(r: LimitCmd, k: RedisKeys): LimitsRepo {
  const queueKeys = (keyId: string) => ({ q: k.limit(keyId, 'q'), qx: k.limit(keyId, 'qx'), qs: k.limit(keyId, 'qs') });
  const keys = (keyId: string, day: string, week: string | null) => ({
    leases: k.limit(keyId, 'leases'),
    win: k.limit(keyId, 'win'),
    day: k.limit(keyId, `day:${day}`),
    total: k.limit(keyId, 'total'),
    week: k.limit(keyId, `week:${week ?? '-'}`),
    ...queueKeys(keyId),
  });
  return {
    async admit(keyId, p) {
      const x = keys(keyId, p.daily?.label ?? '-', p.weekly?.label ?? null);
      const queue = p.concurrency?.queue;
      const [reason, n] = await r.crsAdmit(
        x.leases,
        x.win,
        x.day,
        x.total,
        x.week,
        x.q,
        x.qx,
        x.qs,
        p.now,
        p.concurrency?.limit ?? 0,
        p.concurrency?.leaseId ?? '',
        p.concurrency?.ttlMs ?? 0,
        p.window?.ms ?? 0,
        p.window?.maxRequests ?? 0,
        p.window?.maxTokens ?? 0,
        p.window?.maxCostNanos ?? 0,
        p.daily?.maxCostNanos ?? 0,
        p.total?.maxCostNanos ?? 0,
        p.total?.maxTokens ?? 0,
        p.weekly?.maxCostNanos ?? 0,
        queue?.waiterId ?? '',
        queue?.maxWaiting ?? 0,
        queue?.ttlMs ?? 0,
      );
      if (reason === 'ok') return { ok: true };
      if (reason === 'queued') return { ok: false, reason, position: Number(n) };
      return { ok: false, reason: reason as AdmitRefusal, ...(Number(n) > 0 ? { windowEndsAt: Number(n) } : {}) };
    },
    async release(keyId, leaseId) {
      const res = await execOrThrow(r.pipeline().zrem(k.limit(keyId, 'leases'), leaseId).zcard(k.limit(keyId, 'q')));
      return Number(res[1] ?? 0);
    },
    async leaveQueue(keyId, waiterId, outcome) {
      const x = queueKeys(keyId);
      await r.crsLeaveQueue(x.q, x.qx, x.qs, waiterId, outcome === 'timeout' ? 'timeouts' : 'cancelled');
    },
    async queueStats(keyId, now): Promise<QueueStats> {
      const x = queueKeys(keyId);
      const res = (await r.pipeline().zcount(x.qx, `(${now}`, '+inf').hgetall(x.qs).exec()) ?? [];
      const [waiting, h] = res.map(([err, v]) => {
        if (err) throw err;
        return v;
      }) as [number, Record<string, string>];
      const n = (f: string) => Number(h[f] ?? 0);
      return {
        waiting: Number(waiting),
        entered: n('entered'),
        served: n('served'),
        timeouts: n('timeouts'),
        cancelled: n('cancelled'),
        rejected: n('rejected'),
        waitMsTotal: n('waitMs'),
      };
    },
    async renew(keyId, leaseId, ttlMs, now) {
      await r.zadd(k.limit(keyId, 'leases'), 'XX', now + ttlMs, leaseId);
    },
    async settle(items) {
      if (items.length === 0) return;
      const pipe = r.pipeline() as unknown as LimitCmd;
      for (const it of items) {
        const x = keys(it.keyId, it.dailyLabel, it.weeklyLabel);
        void pipe.crsSettle(x.day, x.total, x.week, x.win, it.tokens, it.costNanos, it.weeklyLabel ? '1' : '0', DAILY_TTL_MS, WEEKLY_TTL_MS);
      }
      await execOrThrow(pipe);
    },
    async counters(keyId, q) {
      const x = keys(keyId, q.dailyLabel, q.weeklyLabel);
      const res = (await r.pipeline().hgetall(x.win).get(x.day).get(x.week).hgetall(x.total).zcount(x.leases, `(${q.now}`, '+inf').exec()) ?? [];
      const [win, day, week, total, inFlight] = res.map(([err, v]) => {
        if (err) throw err;
        return v;
      }) as [Record<string, string>, string | null, string | null, Record<string, string>, number];
      const start = Number(win.start);
      return {
        window:
          win.start && start + q.windowMs > q.now
            ? { start, requests: Number(win.req ?? 0), tokens: Number(win.tok ?? 0), costNanos: Number(win.cost ?? 0) }
            : null,
        dailyCostNanos: Number(day ?? 0),
        weeklyCostNanos: q.weeklyLabel ? Number(week ?? 0) : 0,
        totalCostNanos: Number(total.cost ?? 0),
        totalTokens: Number(total.tok ?? 0),
        inFlight: Number(inFlight),
      };
    },
    async seed(keyId, x) {
      const m = r.multi();
      m.hset(k.limit(keyId, 'total'), 'cost', x.totalCostNanos, 'tok', x.totalTokens);
      m.set(k.limit(keyId, `day:${x.daily.label}`), x.daily.costNanos, 'PX', DAILY_TTL_MS);
      if (x.weekly) m.set(k.limit(keyId, `week:${x.weekly.label}`), x.weekly.costNanos, 'PX', WEEKLY_TTL_MS);
      await m.exec();
    },
    async reset(keyId) {
      const pattern = k.limit(keyId, '*');
      await scanKeys(r, pattern.replace(/[[\]]/g, '\\$&'), 200, async (found) => {
        await r.del(...found);
      });
    },
  };
}
