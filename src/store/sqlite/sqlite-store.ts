// The embedded store: better-sqlite3 in WAL mode. One process writes; other processes (the crs CLI) may share
// the file, and their commits are noticed through PRAGMA data_version.
import Database from 'better-sqlite3';
import { privateDir, privateFile, tightenFiles } from '../../platform/private-files.js';
import { dirname } from 'node:path';
import { monotonicNow, systemClock, type Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import type { Account } from '../../core/account.js';
import type { AdminUser } from '../../core/admin.js';
import type { ApiKey } from '../../core/api-key.js';
import { ChangeHub } from '../change-hub.js';
import { apiKeySearchText } from '../search.js';
import type {
  AccountRepo,
  AdminRepo,
  AdminSessionRepo,
  ApiKeyListQuery,
  ApiKeyRepo,
  ChangeEvent,
  GroupRepo,
  KvRepo,
  LimitsRepo,
  AccountSlotsRepo,
  OAuthSessionRepo,
  Store,
  UsageRepo,
} from '../types.js';
import { sqliteGroups } from './groups.js';
import { sqliteKv } from './kv.js';
import { sqliteLimits } from './limits.js';
import { sqliteAccountSlots } from './account-slots.js';
import { sqliteAdminSessions, sqliteOAuthSessions } from './sessions.js';
import { sqliteUsage } from './usage.js';
import { MIGRATIONS } from './schema.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  /** How often to look for commits by other processes (ms); 0 disables. */
  pollMs?: number;
  /** The time expiries are set and read at (default: the system clock). */
  clock?: Clock;
}

type Db = Database.Database;

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

const parse = <T>(row: { doc: string } | undefined): T | null => (row ? (JSON.parse(row.doc) as T) : null);

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly admins: AdminRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly accounts: AccountRepo;
  readonly groups: GroupRepo;
  readonly oauthSessions: OAuthSessionRepo;
  readonly adminSessions: AdminSessionRepo;
  readonly usage: UsageRepo;
  readonly kv: KvRepo;
  readonly limits: LimitsRepo;
  readonly accountSlots: AccountSlotsRepo;
  private readonly db: Db;
  private readonly hub = new ChangeHub();
  private readonly poll: NodeJS.Timeout | null;
  private dataVersion: number;

  constructor(opts: SqliteStoreOptions) {
    if (opts.file !== ':memory:') {
      // The database holds key hashes, sealed secrets and usage: 0700 folder, 0600 file. SQLite creates -wal/-shm
      // with the database file's mode; ones left by an older version are tightened too.
      privateDir(dirname(opts.file));
      privateFile(opts.file);
      tightenFiles([`${opts.file}-wal`, `${opts.file}-shm`, `${opts.file}-journal`]);
    }
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.dataVersion = this.readDataVersion();
    const pollMs = opts.pollMs ?? 1000;
    this.poll = pollMs > 0 ? setInterval(() => this.checkExternalChanges(), pollMs).unref() : null;
    const emit = (e: ChangeEvent) => this.hub.emit(e);
    this.admins = adminRepo(this.db, emit);
    this.apiKeys = apiKeyRepo(this.db, emit);
    this.accounts = accountRepo(this.db, emit);
    this.groups = sqliteGroups(this.db, emit);
    const clock = opts.clock ?? systemClock;
    this.oauthSessions = sqliteOAuthSessions(this.db, clock);
    this.adminSessions = sqliteAdminSessions(this.db, clock);
    this.usage = sqliteUsage(this.db);
    this.kv = sqliteKv(this.db, clock);
    this.limits = sqliteLimits(this.db, clock);
    this.accountSlots = sqliteAccountSlots(this.db);
  }

  publish(event: ChangeEvent): void {
    // Other processes on this file notice through data_version; this one hears it at once.
    this.hub.emit(event);
  }

  async ping(): Promise<number> {
    const t = monotonicNow();
    this.db.prepare('SELECT 1').get();
    return monotonicNow() - t;
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.hub.on(listener);
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.hub.clear();
    if (this.db.open) this.db.close();
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** data_version moves only when another connection commits: then every cache must reload. */
  private checkExternalChanges(): void {
    if (!this.db.open) return;
    const v = this.readDataVersion();
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      this.hub.emit({ entity: '*' });
    }
  }
}

function adminRepo(db: Db, emit: (e: ChangeEvent) => void): AdminRepo {
  const get = db.prepare<[string], { doc: string }>('SELECT doc FROM admins WHERE username = ?');
  const put = db.prepare('INSERT INTO admins (username, doc) VALUES (?, ?) ON CONFLICT(username) DO UPDATE SET doc = excluded.doc');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM admins');
  return {
    async get(username) {
      return parse<AdminUser>(get.get(username));
    },
    async put(user) {
      put.run(user.username, JSON.stringify(user));
      emit({ entity: 'admin', id: user.username });
    },
    async count() {
      return count.get()!.n;
    },
  };
}

function apiKeyRepo(db: Db, emit: (e: ChangeEvent) => void): ApiKeyRepo {
  const insert = db.prepare('INSERT INTO api_keys (id, hash, created_at, deleted_at, search, doc) VALUES (?, ?, ?, ?, ?, ?)');
  const byId = db.prepare<[string], { doc: string }>('SELECT doc FROM api_keys WHERE id = ?');
  const byHash = db.prepare<[string], { doc: string }>('SELECT doc FROM api_keys WHERE hash = ?');
  const save = db.prepare('UPDATE api_keys SET deleted_at = ?, search = ?, doc = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM api_keys WHERE id = ?');
  const rehash = db.prepare('UPDATE api_keys SET hash = ?, search = ?, doc = ? WHERE id = ?');
  const write = (k: ApiKey) => save.run(k.deletedAt, apiKeySearchText(k), JSON.stringify(k), k.id);
  return {
    async create(key) {
      try {
        insert.run(key.id, key.hash, key.createdAt, key.deletedAt, apiKeySearchText(key), JSON.stringify(key));
      } catch (e) {
        if (isUniqueViolation(e)) throw new RelayError('CONFLICT', 'An API key with this id or hash already exists');
        throw e;
      }
      emit({ entity: 'apiKey', id: key.id });
    },
    async get(id) {
      return parse<ApiKey>(byId.get(id));
    },
    async getByHash(hash) {
      return parse<ApiKey>(byHash.get(hash));
    },
    async list(query: ApiKeyListQuery = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (!query.includeDeleted) where.push('deleted_at IS NULL');
      if (query.q) {
        where.push("search LIKE ? ESCAPE '\\'");
        args.push(`%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`);
      }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM api_keys ${w}`).get(...args) as { n: number }).n;
      const rows = db
        .prepare(`SELECT doc FROM api_keys ${w} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
        .all(...args, query.limit ?? -1, query.offset ?? 0) as { doc: string }[];
      return { items: rows.map((r) => JSON.parse(r.doc) as ApiKey), total };
    },
    async update(id, patch) {
      const next = db.transaction(() => {
        const cur = parse<ApiKey>(byId.get(id));
        if (!cur) return null;
        const updated: ApiKey = { ...cur, ...patch, id: cur.id, hash: cur.hash };
        write(updated);
        return updated;
      })();
      if (next) emit({ entity: 'apiKey', id });
      return next;
    },
    async remove(id) {
      const n = del.run(id).changes;
      if (n) emit({ entity: 'apiKey', id });
      return n > 0;
    },
    async replaceHash(id, from, to, patch = {}) {
      const r = db.transaction((): { key: ApiKey | null; changed: boolean } => {
        const cur = parse<ApiKey>(byId.get(id));
        if (!cur || cur.hash === to) return { key: cur && cur.hash === to ? cur : null, changed: false };
        if (cur.hash !== from) return { key: null, changed: false };
        const updated: ApiKey = { ...cur, ...patch, id: cur.id, hash: to };
        rehash.run(to, apiKeySearchText(updated), JSON.stringify(updated), id);
        return { key: updated, changed: true };
      });
      let out: { key: ApiKey | null; changed: boolean };
      try {
        out = r();
      } catch (e) {
        if (isUniqueViolation(e)) throw new RelayError('CONFLICT', 'An API key with this hash already exists');
        throw e;
      }
      if (out.changed) emit({ entity: 'apiKey', id });
      return out.key;
    },
  };
}

function accountRepo(db: Db, emit: (e: ChangeEvent) => void): AccountRepo {
  const insert = db.prepare('INSERT INTO accounts (id, created_at, doc) VALUES (?, ?, ?)');
  const byId = db.prepare<[string], { doc: string }>('SELECT doc FROM accounts WHERE id = ?');
  const all = db.prepare<[], { doc: string }>('SELECT doc FROM accounts ORDER BY created_at, id');
  const save = db.prepare('UPDATE accounts SET doc = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM accounts WHERE id = ?');
  const touchOne = db.prepare("UPDATE accounts SET doc = json_set(doc, '$.lastUsedAt', ?) WHERE id = ?");
  const touchAll = db.transaction((m: ReadonlyMap<string, number>) => {
    for (const [id, at] of m) touchOne.run(at, id);
  });
  return {
    async create(account) {
      try {
        insert.run(account.id, account.createdAt, JSON.stringify(account));
      } catch (e) {
        if (isUniqueViolation(e)) throw new RelayError('CONFLICT', 'An account with this id already exists');
        throw e;
      }
      emit({ entity: 'account', id: account.id });
    },
    async get(id) {
      return parse<Account>(byId.get(id));
    },
    async list() {
      return all.all().map((r) => JSON.parse(r.doc) as Account);
    },
    async update(id, patch) {
      const next = db.transaction(() => {
        const cur = parse<Account>(byId.get(id));
        if (!cur) return null;
        const updated: Account = { ...cur, ...patch, id: cur.id, kind: cur.kind };
        save.run(JSON.stringify(updated), id);
        return updated;
      })();
      if (next) emit({ entity: 'account', id });
      return next;
    },
    async remove(id) {
      const n = del.run(id).changes;
      if (n) emit({ entity: 'account', id });
      return n > 0;
    },
    async touch(lastUsed) {
      // Bookkeeping only: no change event, caches already hold the times.
      if (lastUsed.size) touchAll(lastUsed);
    },
  };
}
