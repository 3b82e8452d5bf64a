// Sessions on SQLite: OAuth authorisations in progress (sealed, expiring; compare-and-swap in one statement) and
// admin sessions (expiring with their token). Expired rows are invisible to reads and swept on writes.
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { AdminSessionRecord } from '../../core/admin.js';
import type { AdminSessionRepo, OAuthSessionRepo } from '../types.js';

type Db = Database.Database;

export function sqliteOAuthSessions(db: Db, clock: Clock): OAuthSessionRepo {
  const now = () => clock.now();
  const get = db.prepare<[string, number], { sealed: string; expires_at: number }>(
    'SELECT sealed, expires_at FROM oauth_sessions WHERE id = ? AND expires_at > ?',
  );
  const put = db.prepare(
    'INSERT INTO oauth_sessions (id, sealed, expires_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at',
  );
  const replace = db.prepare('UPDATE oauth_sessions SET sealed = ?, expires_at = ? WHERE id = ? AND sealed = ? AND expires_at > ?');
  const take = db.prepare('DELETE FROM oauth_sessions WHERE id = ? AND sealed = ? AND expires_at > ?');
  const purge = db.prepare('DELETE FROM oauth_sessions WHERE expires_at <= ?');
  return {
    async get(id) {
      return get.get(id, now())?.sealed ?? null;
    },
    async ttl(id) {
      const t = now();
      const row = get.get(id, t);
      return row ? row.expires_at - t : null;
    },
    async put(id, sealed, ttlMs) {
      const t = now();
      purge.run(t);
      put.run(id, sealed, t + ttlMs);
    },
    async replace(id, prev, next, ttlMs) {
      const t = now();
      return replace.run(next, t + ttlMs, id, prev, t).changes > 0;
    },
    async take(id, sealed) {
      return take.run(id, sealed, now()).changes > 0;
    },
  };
}

export function sqliteAdminSessions(db: Db, clock: Clock): AdminSessionRepo {
  const now = () => clock.now();
  const get = db.prepare<[string, number], AdminSessionRecord>(
    'SELECT sid, username, created_at AS createdAt, ip FROM admin_sessions WHERE sid = ? AND expires_at > ?',
  );
  const put = db.prepare('INSERT OR REPLACE INTO admin_sessions (sid, username, created_at, ip, expires_at) VALUES (?, ?, ?, ?, ?)');
  const del = db.prepare('DELETE FROM admin_sessions WHERE sid = ?');
  const delUser = db.prepare('DELETE FROM admin_sessions WHERE username = ? AND sid != ? AND expires_at > ?');
  const purge = db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?');
  const remove = db.transaction((sid: string, t: number) => {
    const cur = get.get(sid, t);
    del.run(sid);
    return cur ? { ...cur } : null;
  });
  return {
    async get(sid) {
      const r = get.get(sid, now());
      return r ? { ...r } : null;
    },
    async put(s, ttlMs) {
      const t = now();
      purge.run(t);
      put.run(s.sid, s.username, s.createdAt, s.ip, t + ttlMs);
    },
    async remove(sid) {
      return remove(sid, now());
    },
    async removeByUser(username, exceptSid) {
      const t = now();
      const n = delUser.run(username, exceptSid ?? '', t).changes;
      purge.run(t);
      return n;
    },
  };
}
