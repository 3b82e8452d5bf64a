// The shared store: Redis via ioredis (enableOfflineQueue off, so an outage fails fast). Many relay processes
// share it; changes are broadcast on a pub/sub channel so every instance drops stale cache entries.
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RelayError } from '../../core/errors.js';
import type { Account } from '../../core/account.js';
import type { AdminUser } from '../../core/admin.js';
import type { ApiKey } from '../../core/api-key.js';
import type { UsageEvent, UsageRow } from '../../core/usage-event.js';
import { labelsBetween } from '../../core/time-buckets.js';
import { ChangeHub } from '../change-hub.js';
import { matchesApiKeySearch } from '../search.js';
import type { AccountRepo, AdminRepo, ApiKeyRepo, ChangeEvent, KvRepo, LimitsRepo, Store, UsageRepo } from '../types.js';
import { aggFieldPrefix, parseAggField, redisKeys, type RedisKeys } from './keys.js';
import { ADMIT, CAS_DOC, DELETE_IF_EQUALS, LEAVE_QUEUE, RECORD_USAGE, SETTLE } from './scripts.js';
import { redisLimits, type LimitCmd } from './limits.js';
import { redisKv, type KvCmd } from './kv.js';
import { createRedisClient, type RedisTarget } from './connection.js';
import { guardRepo } from './errors.js';

export interface RedisStoreOptions extends RedisTarget {
  keyPrefix?: string;
  /**
   * Longest a request-log entry is kept (ms; default 365 days, the most Settings › Data & retention allows): the
   * configured retention, shorter, is applied by the background retention job (`pruneRequests`).
   */
  requestRetentionMs?: number;
  connectTimeoutMs?: number;
  /** A command not answered in this time fails (a stopped or unreachable Redis must not hold requests). */
  commandTimeoutMs?: number;
}

type Cmd = Redis & {
  crsRecordUsage(...args: (string | number)[]): Promise<number>;
  crsCasDoc(key: string, oldDoc: string, newDoc: string): Promise<number>;
  crsDeleteIfEquals(key: string, value: string): Promise<number>;
} & LimitCmd &
  KvCmd;

const HOUR_BUCKET_TTL_SEC = 45 * 24 * 3600;
const METRICS = ['requests', 'errors', 'input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'costNanos'] as const;

function connect(opts: RedisStoreOptions): Cmd {
  const r = createRedisClient(opts, {
    enableOfflineQueue: false,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    retryStrategy: (n) => Math.min(n * 200, 2000),
  }) as unknown as Cmd;
  // Without a listener ioredis prints every failed reconnect to stderr. An outage shows in /health (503), in
  // crs_store_errors_total and as 503 STORE_UNAVAILABLE answers; the retry strategy keeps reconnecting.
  r.on('error', () => {});
  r.defineCommand('crsRecordUsage', { numberOfKeys: 6, lua: RECORD_USAGE });
  r.defineCommand('crsCasDoc', { numberOfKeys: 1, lua: CAS_DOC });
  r.defineCommand('crsDeleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
  r.defineCommand('crsAdmit', { numberOfKeys: 8, lua: ADMIT });
  r.defineCommand('crsLeaveQueue', { numberOfKeys: 3, lua: LEAVE_QUEUE });
  r.defineCommand('crsSettle', { numberOfKeys: 4, lua: SETTLE });
  return r;
}

/** Opens both connections (commands, subscriptions) and waits until they are ready. */
export async function openRedisStore(opts: RedisStoreOptions): Promise<RedisStore> {
  const cmd = connect(opts);
  const sub = connect(opts);
  try {
    await Promise.all([cmd.connect(), sub.connect()]);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new RelayError('STORE_UNAVAILABLE', `Cannot connect to Redis: ${(e as Error).message}`, { cause: e });
  }
  const store = new RedisStore(cmd, sub, redisKeys(opts.keyPrefix ?? 'crs:'), opts.requestRetentionMs ?? 365 * 86_400_000);
  await store.subscribe();
  return store;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly admins: AdminRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly accounts: AccountRepo;
  readonly usage: UsageRepo;
  readonly kv: KvRepo;
  readonly limits: LimitsRepo;
  private readonly hub = new ChangeHub();
  private readonly origin = randomUUID();

  constructor(
    private readonly r: Cmd,
    private readonly sub: Cmd,
    private readonly k: RedisKeys,
    retentionMs: number,
  ) {
    const emit = (e: ChangeEvent) => this.publish(e);
    // A Redis outage reaches callers as STORE_UNAVAILABLE (503), never as a raw ioredis error (500).
    this.admins = guardRepo(adminRepo(r, k, emit));
    this.apiKeys = guardRepo(apiKeyRepo(r, k, emit));
    this.accounts = guardRepo(accountRepo(r, k, emit));
    this.usage = guardRepo(usageRepo(r, k, retentionMs));
    this.kv = guardRepo(redisKv(r, k));
    this.limits = guardRepo(redisLimits(r, k));
  }

  async subscribe(): Promise<void> {
    await this.sub.subscribe(this.k.changes);
    this.sub.on('message', (_channel: string, message: string) => {
      try {
        const { origin, ...event } = JSON.parse(message) as ChangeEvent & { origin: string };
        if (origin !== this.origin) this.hub.emit(event);
      } catch {
        // a malformed message on our channel is ignored
      }
    });
    // After a reconnect we may have missed messages: everything may be stale. Either connection may come back
    // last; the reloads this triggers need the command connection, so both say so.
    this.sub.on('ready', () => this.hub.emit({ entity: '*' }));
    this.r.on('ready', () => this.hub.emit({ entity: '*' }));
  }

  publish(event: ChangeEvent): void {
    this.hub.emit(event);
    this.r.publish(this.k.changes, JSON.stringify({ ...event, origin: this.origin })).catch(() => {
      // other instances will converge on their next reconnect ('*' event)
    });
  }

  async ping(): Promise<number> {
    const t = performance.now();
    await this.r.ping();
    return performance.now() - t;
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.hub.on(listener);
  }

  async close(): Promise<void> {
    this.hub.clear();
    await Promise.allSettled([this.r.quit(), this.sub.quit()]);
    // QUIT cannot be sent while Redis is unreachable; without this the client would keep reconnecting (and the
    // process running) after close.
    this.r.disconnect();
    this.sub.disconnect();
  }
}

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** Read-modify-write with compare-and-set, retried when another writer got there first. */
async function casUpdate<T>(r: Cmd, key: string, change: (cur: T) => T): Promise<T | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const raw = await r.get(key);
    if (!raw) return null;
    const next = change(JSON.parse(raw) as T);
    const res = await r.crsCasDoc(key, raw, JSON.stringify(next));
    if (res === 1) return next;
    if (res === -1) return null;
  }
  throw new RelayError('CONFLICT', 'The record is being changed concurrently; try again');
}

function adminRepo(r: Cmd, k: RedisKeys, emit: (e: ChangeEvent) => void): AdminRepo {
  return {
    async get(username) {
      return parse<AdminUser>(await r.get(k.admin(username)));
    },
    async put(user) {
      await r.multi().set(k.admin(user.username), JSON.stringify(user)).sadd(k.admins, user.username).exec();
      emit({ entity: 'admin', id: user.username });
    },
    async count() {
      return r.scard(k.admins);
    },
  };
}

function apiKeyRepo(r: Cmd, k: RedisKeys, emit: (e: ChangeEvent) => void): ApiKeyRepo {
  async function loadMany(ids: string[]): Promise<ApiKey[]> {
    if (ids.length === 0) return [];
    const docs = await r.mget(...ids.map((id) => k.apiKey(id)));
    return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as ApiKey);
  }
  return {
    async create(key) {
      const ok = await r.set(k.apiKeyHash(key.hash), key.id, 'NX');
      if (ok !== 'OK') throw new RelayError('CONFLICT', 'An API key with this id or hash already exists');
      const set = await r.set(k.apiKey(key.id), JSON.stringify(key), 'NX');
      if (set !== 'OK') {
        await r.del(k.apiKeyHash(key.hash));
        throw new RelayError('CONFLICT', 'An API key with this id or hash already exists');
      }
      await r.zadd(k.apiKeys, key.createdAt, key.id);
      emit({ entity: 'apiKey', id: key.id });
    },
    async get(id) {
      return parse<ApiKey>(await r.get(k.apiKey(id)));
    },
    async getByHash(hash) {
      const id = await r.get(k.apiKeyHash(hash));
      return id ? parse<ApiKey>(await r.get(k.apiKey(id))) : null;
    },
    async list(query = {}) {
      const ids = await r.zrevrange(k.apiKeys, 0, -1);
      let items = await loadMany(ids);
      // zset order is createdAt; ties broken by id like SQLite does
      items.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
      if (!query.includeDeleted) items = items.filter((x) => x.deletedAt === null);
      if (query.q) items = items.filter((x) => matchesApiKeySearch(x, query.q!));
      const offset = query.offset ?? 0;
      const page = query.limit === undefined ? items.slice(offset) : items.slice(offset, offset + query.limit);
      return { items: page, total: items.length };
    },
    async update(id, patch) {
      const next = await casUpdate<ApiKey>(r, k.apiKey(id), (cur) => ({ ...cur, ...patch, id: cur.id, hash: cur.hash }));
      if (next) emit({ entity: 'apiKey', id });
      return next;
    },
    async remove(id) {
      const cur = parse<ApiKey>(await r.get(k.apiKey(id)));
      if (!cur) return false;
      await r.multi().del(k.apiKey(id)).del(k.apiKeyHash(cur.hash)).zrem(k.apiKeys, id).exec();
      emit({ entity: 'apiKey', id });
      return true;
    },
    async replaceHash(id, from, to, patch = {}) {
      const cur = parse<ApiKey>(await r.get(k.apiKey(id)));
      if (!cur) return null;
      if (cur.hash === to) return cur;
      if (cur.hash !== from) return null;
      // The new lookup entry first (so the key is never unreachable), then the record, then the old entry.
      if ((await r.set(k.apiKeyHash(to), id, 'NX')) !== 'OK' && (await r.get(k.apiKeyHash(to))) !== id) {
        throw new RelayError('CONFLICT', 'An API key with this hash already exists');
      }
      const next = await casUpdate<ApiKey>(r, k.apiKey(id), (c) => (c.hash === from ? { ...c, ...patch, id: c.id, hash: to } : c));
      if (!next || next.hash !== to) {
        await r.crsDeleteIfEquals(k.apiKeyHash(to), id);
        return null;
      }
      await r.crsDeleteIfEquals(k.apiKeyHash(from), id);
      emit({ entity: 'apiKey', id });
      return next;
    },
  };
}

function accountRepo(r: Cmd, k: RedisKeys, emit: (e: ChangeEvent) => void): AccountRepo {
  const withLastUsed = (a: Account, lastUsed: string | null | undefined): Account =>
    lastUsed ? { ...a, lastUsedAt: Math.max(a.lastUsedAt ?? 0, Number(lastUsed)) } : a;
  return {
    async create(account) {
      const ok = await r.set(k.account(account.id), JSON.stringify(account), 'NX');
      if (ok !== 'OK') throw new RelayError('CONFLICT', 'An account with this id already exists');
      await r.zadd(k.accounts, account.createdAt, account.id);
      emit({ entity: 'account', id: account.id });
    },
    async get(id) {
      const [doc, last] = await Promise.all([r.get(k.account(id)), r.hget(k.accountLastUsed, id)]);
      const a = parse<Account>(doc);
      return a ? withLastUsed(a, last) : null;
    },
    async list() {
      const ids = await r.zrange(k.accounts, 0, -1);
      if (ids.length === 0) return [];
      const [docs, last] = await Promise.all([r.mget(...ids.map((id) => k.account(id))), r.hgetall(k.accountLastUsed)]);
      const out: Account[] = [];
      docs.forEach((d) => {
        if (d) {
          const a = JSON.parse(d) as Account;
          out.push(withLastUsed(a, last[a.id]));
        }
      });
      return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },
    async update(id, patch) {
      const next = await casUpdate<Account>(r, k.account(id), (cur) => ({ ...cur, ...patch, id: cur.id, kind: cur.kind }));
      if (next) emit({ entity: 'account', id });
      return next;
    },
    async remove(id) {
      const n = await r.del(k.account(id));
      await r.multi().zrem(k.accounts, id).hdel(k.accountLastUsed, id).exec();
      if (n) emit({ entity: 'account', id });
      return n > 0;
    },
    async touch(lastUsed) {
      if (lastUsed.size === 0) return;
      const flat: (string | number)[] = [];
      for (const [id, at] of lastUsed) flat.push(id, at);
      await r.hset(k.accountLastUsed, ...flat);
    },
  };
}

function recordArgs(k: RedisKeys, e: UsageEvent, retentionMs: number): (string | number)[] {
  const u = e.usage;
  const values: Record<(typeof METRICS)[number], number> = {
    requests: 1,
    errors: e.status >= 400 ? 1 : 0,
    input: u.input,
    output: u.output,
    cacheWrite5m: u.cacheWrite5m,
    cacheWrite1h: u.cacheWrite1h,
    cacheRead: u.cacheRead,
    costNanos: e.costNanos,
  };
  const dims = aggFieldPrefix(e.keyId, e.accountId ?? '', e.model);
  const args: (string | number)[] = [
    k.request(e.requestId),
    k.requests,
    k.requestsByKey(e.keyId),
    k.usageAgg('hour', e.buckets.hour),
    k.usageAgg('day', e.buckets.day),
    k.usageAgg('month', e.buckets.month),
    JSON.stringify(e),
    e.ts,
    e.requestId,
    dims,
    retentionMs,
    HOUR_BUCKET_TTL_SEC,
  ];
  for (const m of METRICS) args.push(m, values[m]);
  return args;
}

function usageRepo(r: Cmd, k: RedisKeys, retentionMs: number): UsageRepo {
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
      const failed = ((await pipe.exec()) ?? []).find(([err]) => err);
      if (failed) throw failed[0];
    },
    async record(events) {
      if (events.length === 0) return;
      // One pipeline for the batch; each event is one idempotent script call.
      const pipe = r.pipeline() as unknown as Cmd;
      for (const e of events) pipe.crsRecordUsage(...recordArgs(k, e, retentionMs));
      const results = (await (pipe as unknown as ReturnType<Redis['pipeline']>).exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
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
            row = { bucket: buckets[i], keyId, accountId, model, requests: 0, errors: 0, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costNanos: 0 };
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
            pipe.zrem(k.requestsByKey((JSON.parse(d) as UsageEvent).keyId), id);
          }
        });
        pipe.del(...ids.map((id) => k.request(id)));
        pipe.zrem(k.requests, ...ids);
        const failed = ((await pipe.exec()) ?? []).find(([err]) => err);
        if (failed) throw failed[0];
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
      return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as UsageEvent);
    },
  };
}
