// Account concurrency slots on SQLite: leases in their own table, taken in one transaction.
import type Database from 'better-sqlite3';
import type { AccountSlotsRepo } from '../types.js';

export function sqliteAccountSlots(db: Database.Database): AccountSlotsRepo {
  const dropExpired = db.prepare('DELETE FROM account_slots WHERE account_id = ? AND expires_at <= ?');
  const count = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM account_slots WHERE account_id = ?');
  const add = db.prepare('INSERT OR REPLACE INTO account_slots (account_id, lease_id, expires_at) VALUES (?, ?, ?)');
  const del = db.prepare('DELETE FROM account_slots WHERE account_id = ? AND lease_id = ?');
  const take = db.transaction((accountId: string, leaseId: string, limit: number, expiresAt: number, now: number): boolean => {
    dropExpired.run(accountId, now);
    if ((count.get(accountId)?.n ?? 0) >= limit) return false;
    add.run(accountId, leaseId, expiresAt);
    return true;
  });
  return {
    async acquire(accountId, s) {
      return take.immediate(accountId, s.leaseId, s.limit, s.now + s.ttlMs, s.now);
    },
    async release(accountId, leaseId) {
      del.run(accountId, leaseId);
    },
  };
}
