// Account groups on SQLite: one row per group (table account_groups).
import type Database from 'better-sqlite3';
import type { AccountGroup } from '../../core/account-group.js';
import type { ChangeEvent, GroupRepo } from '../types.js';

type Db = Database.Database;
type Row = { id: string; name: string; description: string; created_at: number; updated_at: number };

const group = (r: Row): AccountGroup => ({ id: r.id, name: r.name, description: r.description, createdAt: r.created_at, updatedAt: r.updated_at });

export function sqliteGroups(db: Db, emit: (e: ChangeEvent) => void): GroupRepo {
  const byId = db.prepare<[string], Row>('SELECT * FROM account_groups WHERE id = ?');
  const all = db.prepare<[], Row>('SELECT * FROM account_groups ORDER BY created_at, id');
  const put = db.prepare(`INSERT INTO account_groups (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, created_at = excluded.created_at, updated_at = excluded.updated_at`);
  const del = db.prepare('DELETE FROM account_groups WHERE id = ?');
  return {
    async get(id) {
      const r = byId.get(id);
      return r ? group(r) : null;
    },
    async list() {
      return all.all().map(group);
    },
    async put(g) {
      put.run(g.id, g.name, g.description, g.createdAt, g.updatedAt);
      emit({ entity: 'group', id: g.id });
    },
    async remove(id) {
      const n = del.run(id).changes;
      if (n) emit({ entity: 'group', id });
      return n > 0;
    },
  };
}
