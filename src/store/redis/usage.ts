// Usage on Redis: the request log (one document per request, indexes by time overall and per key) and aggregate
// hashes per granularity and bucket. Requests are recorded by a Lua script, up to 200 per call and idempotent request by
// request; a batch is one pipeline.
import type { UsageEvent, UsageRow } from '../../core/usage-event.js';
import { labelsBetween } from '../../core/time-buckets.js';
import { fromRedisRequestDoc, redisRequestDoc } from '../request-log-doc.js';
import type { UsageRepo } from '../types.js';
import { execOrThrow, type Cmd } from './command.js';
import { aggFieldPrefix, parseAggField, type RedisKeys } from './keys.js';

const HOUR_BUCKET_TTL_SEC = 45 * 24 * 3600;
const METRICS = ['requests', 'errors', 'input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'costNanos'] as const;

/** Requests per script call: each call blocks Redis while it runs (~5 commands per request). */
const RECORD_BATCH_MAX = 200;

/** The key count, keys and arguments of RECORD_USAGE_BATCH (scripts.ts) for `events`, in one array. */
function recordBatchArgs(k: RedisKeys, events: readonly UsageEvent[], retentionMs: number): (string | number)[] {
  const out: (string | number)[] = [1 + 5 * events.length, k.requests];
  for (const e of events) {
    out.push(
      k.request(e.requestId),
      k.requestsByKey(e.keyId),
      k.usageAgg('hour', e.buckets.hour),
      k.usageAgg('day', e.buckets.day),
      k.usageAgg('month', e.buckets.month),
    );
  }
  out.push(events.length, retentionMs, HOUR_BUCKET_TTL_SEC);
  for (const m of METRICS) out.push(m);
  for (const e of events) {
    const u = e.usage;
    // In METRICS' order.
    out.push(redisRequestDoc(e), e.ts, e.requestId, aggFieldPrefix(e.keyId, e.accountId ?? '', e.model), 1, e.status >= 400 ? 1 : 0);
    out.push(u.input, u.output, u.cacheWrite5m, u.cacheWrite1h, u.cacheRead, e.costNanos);
  }
  return out;
}

export function redisUsage(r: Cmd, k: RedisKeys, retentionMs: number): UsageRepo {
  return {
    async addRows(rows) {
      if (rows.length === 0) return;
      const pipe = r.pipeline();
      for (const row of rows) {
        const key = k.usageAgg(row.granularity, row.bucket);
        const dims = aggFieldPrefix(row.keyId, row.accountId, row.model);
        for (const m of METRICS) if (row[m]) pipe.hincrby(key, dims + m, row[m]);
        if (row.granularity === 'hour') pipe.expire(key, HOUR_BUCKET_TTL_SEC);
      }
      await execOrThrow(pipe);
    },
    async record(events) {
      if (events.length === 0) return;
      // One script call per RECORD_BATCH_MAX events, all in one pipeline (one round trip). A retried batch is a
      // replay of what was recorded, which the script skips request by request.
      const pipe = r.pipeline() as unknown as Cmd;
      for (let i = 0; i < events.length; i += RECORD_BATCH_MAX) {
        void pipe.crsRecordUsageBatch(...recordBatchArgs(k, events.slice(i, i + RECORD_BATCH_MAX), retentionMs));
      }
      await execOrThrow(pipe);
    },
    async query(q) {
      // Buckets are few (one hash each); fetch them in one pipeline and filter here.
      const buckets = labelsBetween(q.granularity, q.fromBucket, q.toBucket);
      const pipe = r.pipeline();
      for (const b of buckets) pipe.hgetall(k.usageAgg(q.granularity, b));
      const results = (await pipe.exec()) ?? [];
      const rows: UsageRow[] = [];
      results.forEach(([err, hash], i) => {
        if (err) throw err;
        const byDims = new Map<string, UsageRow>();
        for (const [field, value] of Object.entries(hash as Record<string, string>)) {
          const f = parseAggField(field);
          if (!f) continue;
          const { keyId, accountId, model, metric } = f;
          if (q.keyId !== undefined && keyId !== q.keyId) continue;
          if (q.accountId !== undefined && accountId !== q.accountId) continue;
          if (q.model !== undefined && model !== q.model) continue;
          const id = f.row;
          let row = byDims.get(id);
          if (!row) {
            row = {
              bucket: buckets[i],
              keyId,
              accountId,
              model,
              requests: 0,
              errors: 0,
              input: 0,
              output: 0,
              cacheWrite5m: 0,
              cacheWrite1h: 0,
              cacheRead: 0,
              costNanos: 0,
            };
            byDims.set(id, row);
          }
          if ((METRICS as readonly string[]).includes(metric)) row[metric as (typeof METRICS)[number]] = Number(value);
        }
        const sorted = [...byDims.values()].sort(
          (a, b) => a.keyId.localeCompare(b.keyId) || a.accountId.localeCompare(b.accountId) || a.model.localeCompare(b.model),
        );
        rows.push(...sorted);
      });
      return rows;
    },
    async pruneRequests(before) {
      // The overall index names the entries; each entry's per-key index is trimmed too, and per-key indexes whose
      // entries already expired are trimmed by score.
      let removed = 0;
      for (;;) {
        const ids = await r.zrangebyscore(k.requests, '-inf', `(${before}`, 'LIMIT', 0, 500);
        if (ids.length === 0) break;
        const docs = await r.mget(...ids.map((id) => k.request(id)));
        const pipe = r.pipeline();
        ids.forEach((id, i) => {
          const d = docs[i];
          if (d) {
            removed++;
            pipe.zrem(k.requestsByKey(fromRedisRequestDoc(d).keyId), id);
          }
        });
        pipe.del(...ids.map((id) => k.request(id)));
        pipe.zrem(k.requests, ...ids);
        await execOrThrow(pipe);
      }
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', k.requestsByKey('*'), 'COUNT', 500);
        cursor = next;
        if (keys.length) {
          const pipe = r.pipeline();
          for (const key of keys) pipe.zremrangebyscore(key, '-inf', `(${before}`);
          await pipe.exec();
        }
      } while (cursor !== '0');
      return removed;
    },
    async recentRequests(limit, filter = {}) {
      const zkey = filter.keyId ? k.requestsByKey(filter.keyId) : k.requests;
      let ids: string[];
      if (filter.before) {
        // Same ts as the cursor: only ids below it (zset order within a score is by member); then strictly older.
        const { ts, requestId } = filter.before;
        const same = (await r.zrangebyscore(zkey, ts, ts)).filter((id) => id < requestId).reverse();
        const older = same.length >= limit ? [] : await r.zrevrangebyscore(zkey, `(${ts}`, '-inf', 'LIMIT', 0, limit - same.length);
        ids = [...same.slice(0, limit), ...older];
      } else {
        ids = await r.zrevrange(zkey, 0, limit - 1);
      }
      if (ids.length === 0) return [];
      const docs = await r.mget(...ids.map((id) => k.request(id)));
      return docs.filter((d): d is string => d !== null).map(fromRedisRequestDoc);
    },
  };
}
