// Small shared state with expiry on SQLite (sticky sessions, health, settings, locks).
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { KvRepo } from '../types.js';

type Db = Database.Database;

export function sqliteKv(db: Db, clock: Clock): KvRepo {
  const now = () => clock.now();
  const get = db.prepare<[string, number], { v: string }>('SELECT v FROM kv WHERE k = ? AND (expires_at IS NULL OR expires_at > ?)');
  const set = db.prepare('INSERT INTO kv (k, v, expires_at) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at');
  const insertIfAbsent = db.prepare(`INSERT INTO kv (k, v, expires_at) VALUES (?, ?, ?)
    ON CONFLICT(k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`);
  const del = db.prepare('DELETE FROM kv WHERE k = ?');
  const delIf = db.prepare('DELETE FROM kv WHERE k = ? AND v = ? AND (expires_at IS NULL OR expires_at > ?)');
  const scan = db.prepare<[string, string, number], { k: string; v: string }>(
    'SELECT k, v FROM kv WHERE k >= ? AND k < ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY k',
  );
  const ttl = db.prepare<[string, number], { expires_at: number | null }>('SELECT expires_at FROM kv WHERE k = ? AND (expires_at IS NULL OR expires_at > ?)');
  const purge = db.prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?');
  let writes = 0;
  const maybePurge = () => {
    // Expired rows are invisible to reads; sweep them now and then so the table does not grow.
    if (++writes % 1000 === 0) purge.run(now());
  };
  return {
    async get(key) {
      return get.get(key, now())?.v ?? null;
    },
    async getMany(keys) {
      const t = now();
      return keys.map((k) => get.get(k, t)?.v ?? null);
    },
    async set(key, value, ttlMs) {
      set.run(key, value, ttlMs === undefined ? null : now() + ttlMs);
      maybePurge();
    },
    async setIfAbsent(key, value, ttlMs) {
      const t = now();
      maybePurge();
      return insertIfAbsent.run(key, value, t + ttlMs, t).changes > 0;
    },
    async delete(key) {
      del.run(key);
    },
    async deleteIfEquals(key, value) {
      return delIf.run(key, value, now()).changes > 0;
    },
    async scan(prefix) {
      // [prefix, prefix + U+FFFF) covers every key that starts with prefix
      return scan.all(prefix, prefix + '\uffff', now()).map((r) => ({ key: r.k, value: r.v }));
    },
    async ttl(key) {
      const t = now();
      const row = ttl.get(key, t);
      if (!row) return null;
      return row.expires_at === null ? Infinity : row.expires_at - t;
    },
  };
}
