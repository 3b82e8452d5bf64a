// Usage on SQLite: the request log (table request_log) and the aggregates (usage_agg), a batch in one transaction.
import type Database from 'better-sqlite3';
import type { Granularity, UsageEvent, UsageQuery, UsageRow } from '../../core/usage-event.js';
import { UsageAggregator } from '../usage-agg.js';
import { fromRequestLogRow, requestLogDoc, type RequestLogRow } from '../request-log-doc.js';
import type { UsageRepo } from '../types.js';

type Db = Database.Database;

export function sqliteUsage(db: Db): UsageRepo {
  const upsert = db.prepare(`
    INSERT INTO usage_agg (granularity, bucket, key_id, account_id, model, requests, errors, input, output,
      cache_write_5m, cache_write_1h, cache_read, cost_nanos)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (granularity, bucket, key_id, account_id, model) DO UPDATE SET
      requests = requests + excluded.requests, errors = errors + excluded.errors, input = input + excluded.input,
      output = output + excluded.output, cache_write_5m = cache_write_5m + excluded.cache_write_5m,
      cache_write_1h = cache_write_1h + excluded.cache_write_1h, cache_read = cache_read + excluded.cache_read,
      cost_nanos = cost_nanos + excluded.cost_nanos`);
  const log = db.prepare('INSERT OR IGNORE INTO request_log (request_id, ts, key_id, doc) VALUES (?, ?, ?, ?)');
  const record = db.transaction((events: readonly UsageEvent[]) => {
    // Aggregates of the batch are merged first, so each (bucket, key, account, model) row is written once.
    const agg = new UsageAggregator();
    for (const e of events) {
      // The log insert is the idempotency guard: a replayed request id changes nothing.
      if (log.run(e.requestId, e.ts, e.keyId, requestLogDoc(e)).changes === 0) continue;
      agg.add(e);
    }
    for (const d of agg.rows.values()) {
      upsert.run(
        d.g,
        d.bucket,
        d.keyId,
        d.accountId,
        d.model,
        d.requests,
        d.errors,
        d.input,
        d.output,
        d.cacheWrite5m,
        d.cacheWrite1h,
        d.cacheRead,
        d.costNanos,
      );
    }
  });
  const addRows = db.transaction((rows: readonly (UsageRow & { granularity: Granularity })[]) => {
    for (const d of rows) {
      upsert.run(
        d.granularity,
        d.bucket,
        d.keyId,
        d.accountId,
        d.model,
        d.requests,
        d.errors,
        d.input,
        d.output,
        d.cacheWrite5m,
        d.cacheWrite1h,
        d.cacheRead,
        d.costNanos,
      );
    }
  });
  return {
    async record(events) {
      if (events.length) record(events);
    },
    async addRows(rows) {
      if (rows.length) addRows(rows);
    },
    async query(q: UsageQuery) {
      const where = ['granularity = ?', 'bucket >= ?', 'bucket <= ?'];
      const args: unknown[] = [q.granularity, q.fromBucket, q.toBucket];
      if (q.keyId !== undefined) {
        where.push('key_id = ?');
        args.push(q.keyId);
      }
      if (q.accountId !== undefined) {
        where.push('account_id = ?');
        args.push(q.accountId);
      }
      if (q.model !== undefined) {
        where.push('model = ?');
        args.push(q.model);
      }
      const rows = db
        .prepare(
          `SELECT bucket, key_id AS keyId, account_id AS accountId, model, requests, errors, input, output,
             cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, cache_read AS cacheRead,
             cost_nanos AS costNanos
           FROM usage_agg WHERE ${where.join(' AND ')} ORDER BY bucket, key_id, account_id, model`,
        )
        .all(...args) as UsageRow[];
      return rows;
    },
    async pruneRequests(before) {
      return Number(db.prepare('DELETE FROM request_log WHERE ts < ?').run(before).changes);
    },
    async recentRequests(limit, filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.keyId) {
        where.push('key_id = ?');
        args.push(filter.keyId);
      }
      if (filter.before) {
        where.push('(ts < ? OR (ts = ? AND request_id < ?))');
        args.push(filter.before.ts, filter.before.ts, filter.before.requestId);
      }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = db
        .prepare(`SELECT request_id, ts, key_id, doc FROM request_log ${w} ORDER BY ts DESC, request_id DESC LIMIT ?`)
        .all(...args, limit) as RequestLogRow[];
      return rows.map(fromRequestLogRow);
    },
  };
}
