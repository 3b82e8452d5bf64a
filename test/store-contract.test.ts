// One contract suite, run against every Store backend: SQLite (memory and file) and Redis.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '../src/core/account.js';
import { DEFAULT_LIMITS, type ApiKey } from '../src/core/api-key.js';
import { RelayError } from '../src/core/errors.js';
import { bucketLabels } from '../src/core/time-buckets.js';
import type { UsageEvent, UsageRow } from '../src/core/usage-event.js';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { openRedisStore } from '../src/store/redis/redis-store.js';
import { MIGRATIONS } from '../src/store/sqlite/schema.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { ChangeEvent, Store } from '../src/store/types.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from './support/redis.js';

interface Backend {
  name: string;
  skip?: () => Promise<string | null>;
  open(): Promise<{ store: Store; cleanup(): Promise<void>; second?: () => Promise<Store> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite (memory)',
    async open() {
      const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'sqlite (file, two connections)',
    async open() {
      const file = join(mkdtempSync(join(tmpdir(), 'crs-store-')), 'relay.db');
      const store = new SqliteStore({ file, pollMs: 50 });
      return { store, cleanup: () => store.close(), second: async () => new SqliteStore({ file, pollMs: 50 }) };
    },
  },
  {
    name: 'redis',
    skip: redisSkipReason,
    async open() {
      const prefix = testPrefix();
      const store = await openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await dropPrefix(prefix);
        },
        second: () => openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix }),
      };
    },
  },
];

let seq = 0;
function makeKey(over: Partial<ApiKey> = {}): ApiKey {
  seq++;
  return {
    id: `key-${seq}`,
    name: `key ${seq}`,
    description: '',
    tags: [],
    hash: `hash-${seq}-${Math.random()}`,
    prefix: 'cr_00000000',
    isActive: true,
    expiresAt: null,
    createdAt: 1_000 + seq,
    updatedAt: 1_000 + seq,
    lastUsedAt: null,
    deletedAt: null,
    owner: '',
    limits: { ...DEFAULT_LIMITS },
    ...over,
  };
}

function makeAccount(over: Partial<Account> = {}): Account {
  seq++;
  return {
    id: `acct-${seq}`,
    kind: 'anthropic-api',
    name: `account ${seq}`,
    description: '',
    priority: 50,
    schedulable: true,
    baseUrl: null,
    secrets: 'v1.sealed',
    proxy: null,
    shared: true,
    groupIds: [],
    supportedModels: [],
    modelMapping: {},
    expiresAt: null,
    maxConcurrency: 0,
    createdAt: 2_000 + seq,
    updatedAt: 2_000 + seq,
    lastUsedAt: null,
    ...over,
  };
}

function makeEvent(over: Partial<UsageEvent> = {}): UsageEvent {
  seq++;
  const ts = over.ts ?? Date.UTC(2026, 10, 26, 3, 0);
  return {
    requestId: `req-${seq}`,
    ts,
    keyId: 'k1',
    accountId: 'a1',
    model: 'claude-sonnet-4-5',
    endpoint: '/v1/messages',
    stream: true,
    status: 200,
    durationMs: 12,
    usage: { input: 10, output: 20, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5 },
    costNanos: 1_000,
    partial: false,
    errorCode: null,
    buckets: bucketLabels(ts, 8),
    ...over,
  };
}

for (const backend of backends) {
  describe(`Store contract: ${backend.name}`, async () => {
    const reason = backend.skip ? await backend.skip() : null;
    let store: Store;
    let ctx: Awaited<ReturnType<Backend['open']>>;
    before(async () => {
      if (reason) return;
      ctx = await backend.open();
      store = ctx.store;
    });
    after(async () => {
      if (!reason) await ctx.cleanup();
    });
    const t = (name: string, fn: () => Promise<void>) => test(name, { skip: reason ?? false }, fn);

    t('ping answers with a latency', async () => {
      const ms = await store.ping();
      assert.ok(ms >= 0 && ms < 1000);
    });

    t('admins: put, get, count, overwrite', async () => {
      assert.equal(await store.admins.get('root'), null);
      await store.admins.put({ username: 'root', passwordHash: 'h1', createdAt: 1, updatedAt: 1 });
      await store.admins.put({ username: 'root', passwordHash: 'h2', createdAt: 1, updatedAt: 2 });
      assert.equal((await store.admins.get('root'))?.passwordHash, 'h2');
      assert.equal(await store.admins.count(), 1);
    });

    t('api keys: create, get by id and hash, duplicate refused', async () => {
      const k = makeKey({ tags: ['team-a'], expiresAt: 123 });
      await store.apiKeys.create(k);
      assert.deepEqual(await store.apiKeys.get(k.id), k);
      assert.deepEqual(await store.apiKeys.getByHash(k.hash), k);
      assert.equal(await store.apiKeys.getByHash('nope'), null);
      await assert.rejects(store.apiKeys.create({ ...k, id: 'other-id' }), (e: unknown) => e instanceof RelayError && e.code === 'CONFLICT');
      assert.equal(await store.apiKeys.get('other-id'), null, 'a refused create leaves nothing behind');
    });

    t('api keys: update keeps id and hash, real booleans and arrays survive', async () => {
      const k = makeKey();
      await store.apiKeys.create(k);
      const u = await store.apiKeys.update(k.id, { name: 'renamed', isActive: false, tags: [] });
      assert.equal(u?.name, 'renamed');
      const again = await store.apiKeys.get(k.id);
      assert.equal(again?.isActive, false);
      assert.deepEqual(again?.tags, []);
      assert.equal(again?.hash, k.hash);
      assert.equal(await store.apiKeys.update('missing', { name: 'x' }), null);
    });

    t('api keys: list newest first, search, paging, soft-deleted hidden', async () => {
      const before = (await store.apiKeys.list({ includeDeleted: true })).total;
      const a = makeKey({ name: 'Alpha Search', createdAt: 50_000 });
      const b = makeKey({ name: 'beta', tags: ['SearchTag'], createdAt: 50_001 });
      const c = makeKey({ name: 'gamma', createdAt: 50_002, deletedAt: 9 });
      for (const k of [a, b, c]) await store.apiKeys.create(k);
      const all = await store.apiKeys.list({ includeDeleted: true });
      assert.equal(all.total, before + 3);
      assert.deepEqual(
        all.items.slice(0, 3).map((x) => x.id),
        [c.id, b.id, a.id],
      );
      const live = await store.apiKeys.list({ q: 'search' });
      assert.deepEqual(
        live.items.map((x) => x.id),
        [b.id, a.id],
      );
      const page = await store.apiKeys.list({ includeDeleted: true, offset: 1, limit: 1 });
      assert.deepEqual(
        page.items.map((x) => x.id),
        [b.id],
      );
      assert.equal(page.total, before + 3);
      const pct = await store.apiKeys.list({ q: '%' });
      assert.equal(pct.total, 0, 'LIKE wildcards are literal');
    });

    t('api keys: remove is permanent', async () => {
      const k = makeKey();
      await store.apiKeys.create(k);
      assert.equal(await store.apiKeys.remove(k.id), true);
      assert.equal(await store.apiKeys.get(k.id), null);
      assert.equal(await store.apiKeys.getByHash(k.hash), null);
      assert.equal(await store.apiKeys.remove(k.id), false);
    });

    t('accounts: create, list in creation order, update, touch, remove', async () => {
      const a = makeAccount({ priority: 10, createdAt: 70_000 });
      const b = makeAccount({ schedulable: false, createdAt: 70_001 });
      await store.accounts.create(a);
      await store.accounts.create(b);
      await assert.rejects(store.accounts.create(a), (e: unknown) => e instanceof RelayError && e.code === 'CONFLICT');
      const ids = (await store.accounts.list()).map((x) => x.id);
      assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id));
      assert.deepEqual(await store.accounts.get(a.id), a);
      const u = await store.accounts.update(a.id, { priority: 5, proxy: 'v1.p' });
      assert.equal(u?.priority, 5);
      assert.equal(u?.kind, 'anthropic-api');
      await store.accounts.touch(new Map([[a.id, 123_456]]));
      assert.equal((await store.accounts.get(a.id))?.lastUsedAt, 123_456);
      assert.equal((await store.accounts.list()).find((x) => x.id === a.id)?.lastUsedAt, 123_456);
      assert.equal(await store.accounts.remove(b.id), true);
      assert.equal(await store.accounts.get(b.id), null);
      assert.equal(await store.accounts.update(b.id, { name: 'x' }), null);
    });

    t('groups: put, get, list in creation order, overwrite, remove, change events', async () => {
      const seen: ChangeEvent[] = [];
      const off = store.onChange((e) => seen.push(e));
      const a = { id: `grp-${seq++}`, name: 'Team A', description: 'first', createdAt: 90_000, updatedAt: 90_000 };
      const b = { id: `grp-${seq++}`, name: 'Team B', description: '', createdAt: 90_001, updatedAt: 90_001 };
      assert.equal(await store.groups.get(a.id), null);
      await store.groups.put(b);
      await store.groups.put(a);
      assert.deepEqual(await store.groups.get(a.id), a);
      const ids = (await store.groups.list()).map((g) => g.id);
      assert.ok(ids.indexOf(a.id) >= 0 && ids.indexOf(a.id) < ids.indexOf(b.id), 'creation order');
      const renamed = { ...a, name: 'Team A2', updatedAt: 90_005 };
      await store.groups.put(renamed);
      assert.deepEqual(await store.groups.get(a.id), renamed);
      assert.deepEqual(
        (await store.groups.list()).filter((g) => g.id === a.id),
        [renamed],
        'an overwrite is no second group',
      );
      assert.equal(await store.groups.remove(b.id), true);
      assert.equal(await store.groups.remove(b.id), false);
      assert.equal(await store.groups.get(b.id), null);
      assert.ok(!(await store.groups.list()).some((g) => g.id === b.id));
      off();
      assert.ok(seen.some((e) => e.entity === 'group' && e.id === a.id));
      assert.equal(seen.filter((e) => e.entity === 'group' && e.id === b.id).length, 2, 'put and remove announce; removing nothing does not');
    });

    t('oauth sessions: put, get, ttl, replaced only over the value read, taken exactly once, expiry', async () => {
      const id = `os-${seq++}`;
      assert.equal(await store.oauthSessions.get(id), null);
      assert.equal(await store.oauthSessions.ttl(id), null);
      await store.oauthSessions.put(id, 'v1', 60_000);
      assert.equal(await store.oauthSessions.get(id), 'v1');
      const ttl = await store.oauthSessions.ttl(id);
      assert.ok(ttl !== null && ttl > 59_000 && ttl <= 60_000);
      assert.equal(await store.oauthSessions.replace(id, 'stale', 'v2', 60_000), false, 'another writer got there first');
      assert.equal(await store.oauthSessions.get(id), 'v1');
      assert.equal(await store.oauthSessions.replace(id, 'v1', 'v2', 120_000), true);
      assert.equal(await store.oauthSessions.get(id), 'v2');
      assert.ok((await store.oauthSessions.ttl(id))! > 60_000, 'the replacement has its own lifetime');
      const takes = await Promise.all(Array.from({ length: 10 }, () => store.oauthSessions.take(id, 'v2')));
      assert.equal(takes.filter(Boolean).length, 1, 'exactly one concurrent taker wins');
      assert.equal(await store.oauthSessions.get(id), null);
      assert.equal(await store.oauthSessions.replace(id, 'v2', 'v3', 60_000), false, 'a taken session is not brought back');
      assert.equal(await store.oauthSessions.get(id), null);
      await store.oauthSessions.put(id, 'v4', 40);
      await new Promise((r) => setTimeout(r, 70));
      assert.equal(await store.oauthSessions.get(id), null, 'expired sessions are gone');
      assert.equal(await store.oauthSessions.ttl(id), null);
      assert.equal(await store.oauthSessions.take(id, 'v4'), false, 'an expired session cannot be taken');
    });

    t('admin sessions: put, get, end one, end all of an admin but one, expiry', async () => {
      const user = `adm-${seq++}`;
      const session = (sid: string, username = user) => ({ sid: `${sid}-${seq}`, username, createdAt: 1_000, ip: '10.0.0.1' });
      const [a, b, c, other, short] = [session('a'), session('b'), session('c'), session('o', `${user}-other`), session('short')];
      for (const s of [a, b, c, other]) await store.adminSessions.put(s, 60_000);
      await store.adminSessions.put(short, 30);
      assert.deepEqual(await store.adminSessions.get(a.sid), a);
      assert.deepEqual(await store.adminSessions.remove(a.sid), a);
      assert.equal(await store.adminSessions.remove(a.sid), null);
      assert.equal(await store.adminSessions.get(a.sid), null);
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(await store.adminSessions.get(short.sid), null, 'expired sessions are gone');
      assert.equal(await store.adminSessions.removeByUser(user, c.sid), 1, 'b ends, c is kept, the expired one is not counted');
      assert.equal(await store.adminSessions.get(b.sid), null);
      assert.deepEqual(await store.adminSessions.get(c.sid), c);
      assert.deepEqual(await store.adminSessions.get(other.sid), other, 'another admin keeps theirs');
      assert.equal(await store.adminSessions.removeByUser(user), 1);
      assert.equal(await store.adminSessions.get(c.sid), null);
      assert.equal(await store.adminSessions.removeByUser(user), 0);
    });

    t('usage: aggregates per bucket × key × account × model, exactly once per request id', async () => {
      const key = `uk-${seq}`;
      const e1 = makeEvent({ keyId: key });
      await store.usage.record([e1]);
      await store.usage.record([e1]); // replay: ignored
      await store.usage.record([
        makeEvent({ keyId: key, status: 529, usage: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, costNanos: 0 }),
      ]);
      await store.usage.record([makeEvent({ keyId: key, model: 'claude-haiku-4-5', accountId: null })]);
      const day = e1.buckets.day;
      const rows = await store.usage.query({ granularity: 'day', fromBucket: day, toBucket: day, keyId: key });
      assert.equal(rows.length, 2);
      const sonnet = rows.find((r) => r.model === 'claude-sonnet-4-5')!;
      assert.deepEqual(
        { ...sonnet },
        {
          bucket: day,
          keyId: key,
          accountId: 'a1',
          model: 'claude-sonnet-4-5',
          requests: 2,
          errors: 1,
          input: 10,
          output: 20,
          cacheWrite5m: 3,
          cacheWrite1h: 4,
          cacheRead: 5,
          costNanos: 1_000,
        },
      );
      const haiku = rows.find((r) => r.model === 'claude-haiku-4-5')!;
      assert.equal(haiku.accountId, '');
      const byModel = await store.usage.query({
        granularity: 'hour',
        fromBucket: e1.buckets.hour,
        toBucket: e1.buckets.hour,
        keyId: key,
        model: 'claude-haiku-4-5',
      });
      assert.equal(byModel.length, 1);
      assert.equal(byModel[0].requests, 1);
      const month = await store.usage.query({ granularity: 'month', fromBucket: e1.buckets.month, toBucket: e1.buckets.month, keyId: key, accountId: 'a1' });
      assert.equal(
        month.reduce((s, r) => s + r.requests, 0),
        2,
      );
    });

    t('usage: a batch merges aggregates and ignores ids seen before or twice in the batch', async () => {
      const key = `batch-${seq}`;
      const a = makeEvent({ keyId: key });
      const b = makeEvent({ keyId: key });
      const c = makeEvent({ keyId: key, model: 'claude-opus-4-8', costNanos: 5 });
      await store.usage.record([a]);
      await store.usage.record([a, b, b, c]);
      await store.usage.record([]);
      const rows = await store.usage.query({ granularity: 'month', fromBucket: a.buckets.month, toBucket: a.buckets.month, keyId: key });
      const byModel = Object.fromEntries(rows.map((r) => [r.model, r]));
      assert.equal(byModel['claude-sonnet-4-5'].requests, 2);
      assert.equal(byModel['claude-sonnet-4-5'].input, 20);
      assert.equal(byModel['claude-sonnet-4-5'].costNanos, 2_000);
      assert.equal(byModel['claude-opus-4-8'].requests, 1);
      assert.equal((await store.usage.recentRequests(10, { keyId: key })).length, 3);
    });

    t('usage: a large batch (several keys, models, hours, replays, large sums) records what one-by-one recording does', async () => {
      const base = `big-${seq}`;
      const [oneByOne, batched] = [`${base}-single`, `${base}-batch`].map((prefix) =>
        Array.from({ length: 450 }, (_, i) =>
          makeEvent({
            keyId: `${prefix}-${i % 2}`,
            model: i % 3 === 0 ? 'claude-opus-4-8' : 'claude-sonnet-4-5',
            accountId: i % 5 === 0 ? null : `acc-${i % 4}`,
            ts: Date.UTC(2026, 10, 26, 3 + (i % 3), i % 60),
            status: i % 7 === 0 ? 500 : 200,
            usage: { input: 1_000 + i, output: i % 4 === 0 ? 0 : i, cacheWrite5m: 0, cacheWrite1h: i % 2, cacheRead: 2_000_000_000 },
            // 450 × 10^13: sums beyond 2^32 and written without an exponent
            costNanos: 10_000_000_000_000 + i,
          }),
        ),
      );
      for (const e of oneByOne) await store.usage.record([e]);
      await store.usage.record([...batched.slice(0, 10), ...batched, ...batched.slice(440)]); // replays before and after
      const day = oneByOne[0].buckets.day;
      const strip = (rows: UsageRow[], prefix: string) =>
        rows.map((r) => ({ ...r, keyId: r.keyId.slice(prefix.length) })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      for (const g of ['hour', 'day', 'month'] as const) {
        const [from, to] =
          g === 'hour'
            ? [oneByOne[0].buckets.hour, oneByOne[2].buckets.hour]
            : g === 'day'
              ? [day, day]
              : [oneByOne[0].buckets.month, oneByOne[0].buckets.month];
        const all = await store.usage.query({ granularity: g, fromBucket: from, toBucket: to });
        const single = all.filter((r) => r.keyId.startsWith(`${base}-single`));
        const batch = all.filter((r) => r.keyId.startsWith(`${base}-batch`));
        assert.ok(single.length >= (g === 'hour' ? 12 : 4), `${g}: rows of several keys, accounts and models`);
        assert.deepEqual(strip(batch, `${base}-batch`), strip(single, `${base}-single`), `${g} aggregates`);
      }
      const month = await store.usage.query({ granularity: 'month', fromBucket: oneByOne[0].buckets.month, toBucket: oneByOne[0].buckets.month });
      const cost = month.filter((r) => r.keyId.startsWith(`${base}-batch`)).reduce((s, r) => s + r.costNanos, 0);
      assert.equal(cost, 450 * 10_000_000_000_000 + (449 * 450) / 2);
      for (const k of [0, 1]) {
        const recent = await store.usage.recentRequests(500, { keyId: `${base}-batch-${k}` });
        assert.equal(recent.length, 225, 'each request once in its key’s log');
      }
    });

    t("usage: model names are client text and never spell another row's field (P8 item 6)", async () => {
      const key = `inject-${seq}`;
      await store.usage.record([makeEvent({ keyId: key, costNanos: 5_000_000 })]);
      const hostile = [
        'claude-sonnet-4-5\x1fcostNanos',
        'claude-sonnet-4-5\x1f',
        `a1\x1fclaude-sonnet-4-5`,
        'a:b',
        'x\ny',
        'nul\u0000',
        'p|q',
        '%1F',
        'claude-sonnet-4-5%1Fx',
        '{u}:agg',
      ];
      const zero = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
      for (const model of hostile) await store.usage.record([makeEvent({ keyId: key, model, costNanos: 0, usage: zero })]);
      const month = makeEvent().buckets.month;
      const rows = await store.usage.query({ granularity: 'month', fromBucket: month, toBucket: month, keyId: key });
      const honest = rows.filter((r) => r.model === 'claude-sonnet-4-5');
      assert.equal(honest.length, 1);
      assert.equal(honest[0].costNanos, 5_000_000, 'the real row keeps its cost');
      assert.equal(honest[0].requests, 1);
      assert.equal(honest[0].input, 10);
      assert.deepEqual(rows.map((r) => r.model).sort(), ['claude-sonnet-4-5', ...hostile].sort(), 'each name is its own row, read back as written');
      for (const r of rows) if (r.model !== 'claude-sonnet-4-5') assert.deepEqual([r.requests, r.costNanos, r.keyId, r.accountId], [1, 0, key, 'a1']);
      const byModel = await store.usage.query({ granularity: 'month', fromBucket: month, toBucket: month, keyId: key, model: 'x\ny' });
      assert.deepEqual(
        byModel.map((r) => r.model),
        ['x\ny'],
      );
    });

    t('usage: bucket ranges are inclusive and exclude other buckets', async () => {
      const key = `range-${seq}`;
      const d1 = makeEvent({ keyId: key, ts: Date.UTC(2026, 0, 1, 0) });
      const d2 = makeEvent({ keyId: key, ts: Date.UTC(2026, 0, 2, 0) });
      const d3 = makeEvent({ keyId: key, ts: Date.UTC(2026, 0, 3, 0) });
      for (const e of [d1, d2, d3]) await store.usage.record([e]);
      const rows = await store.usage.query({ granularity: 'day', fromBucket: d1.buckets.day, toBucket: d2.buckets.day, keyId: key });
      assert.deepEqual(
        rows.map((r) => r.bucket),
        [d1.buckets.day, d2.buckets.day],
      );
    });

    t('usage: recent requests newest first, filterable by key', async () => {
      const key = `recent-${seq}`;
      const now = Date.now();
      const a = makeEvent({ keyId: key, ts: now - 2000, buckets: bucketLabels(now - 2000, 8) });
      const b = makeEvent({ keyId: key, ts: now - 1000, buckets: bucketLabels(now - 1000, 8), partial: true, errorCode: 'X' });
      await store.usage.record([a]);
      await store.usage.record([b]);
      const recent = await store.usage.recentRequests(10, { keyId: key });
      assert.deepEqual(
        recent.map((r) => r.requestId),
        [b.requestId, a.requestId],
      );
      assert.deepEqual(recent[0], b);
    });

    t('usage: recent requests page with a (ts, requestId) cursor, ties included, per key and overall', async () => {
      const key = `cursor-${seq}`;
      const base = Date.now() - 10_000;
      // Five entries, two of them sharing a ts, recorded out of order.
      const evs = [0, 1, 1, 2, 3].map((dt, i) =>
        makeEvent({ keyId: key, requestId: `req-cur-${seq}-${i}`, ts: base + dt * 1000, buckets: bucketLabels(base + dt * 1000, 8) }),
      );
      await store.usage.record([evs[3], evs[0], evs[4], evs[2], evs[1]]);
      const want = [evs[4], evs[3], evs[2], evs[1], evs[0]].map((e) => e.requestId);
      const seen: string[] = [];
      let before: { ts: number; requestId: string } | undefined;
      for (let page = 0; page < 5; page++) {
        const rows = await store.usage.recentRequests(2, { keyId: key, before });
        seen.push(...rows.map((r) => r.requestId));
        if (rows.length < 2) break;
        before = { ts: rows[rows.length - 1].ts, requestId: rows[rows.length - 1].requestId };
      }
      assert.deepEqual(seen, want, 'every entry once, newest first, ties by request id descending');
      const all = await store.usage.recentRequests(3, { before: { ts: evs[2].ts, requestId: evs[2].requestId } });
      assert.ok(
        all.every((r) => r.ts < evs[2].ts || (r.ts === evs[2].ts && r.requestId < evs[2].requestId)),
        'the overall log honours the cursor too',
      );
      assert.ok(all.some((r) => r.requestId === evs[1].requestId));
    });

    t('usage: pruneRequests deletes log entries older than the cutoff, overall and per key, keeping aggregates', async () => {
      const key = `prune-${seq}`;
      const tag = `req-prune-${seq}-`;
      // Far in the past, so entries of the other tests (recorded now) are never below the cutoff.
      const base = Date.UTC(2001, 0, 1);
      const old1 = makeEvent({ keyId: key, requestId: `${tag}1`, ts: base, buckets: bucketLabels(base, 8) });
      const old2 = makeEvent({ keyId: key, requestId: `${tag}2`, ts: base + 1000, buckets: bucketLabels(base + 1000, 8) });
      const kept = makeEvent({ keyId: key, requestId: `${tag}3`, ts: base + 5000, buckets: bucketLabels(base + 5000, 8) });
      await store.usage.record([old1, old2, kept]);
      assert.equal(await store.usage.pruneRequests(base + 5000), 2, 'entries strictly older than the cutoff go');
      assert.deepEqual(
        (await store.usage.recentRequests(10, { keyId: key })).map((r) => r.requestId),
        [kept.requestId],
      );
      const overall = await store.usage.recentRequests(10, { before: { ts: base + 5001, requestId: '' } });
      assert.deepEqual(
        overall.map((r) => r.requestId).filter((id) => id.startsWith(tag)),
        [kept.requestId],
      );
      assert.equal(await store.usage.pruneRequests(base + 5000), 0, 'a second pass finds nothing');
      const rows = await store.usage.query({ granularity: 'day', fromBucket: old1.buckets.day, toBucket: kept.buckets.day, keyId: key });
      assert.equal(
        rows.reduce((n, r) => n + r.requests, 0),
        3,
        'aggregates are kept',
      );
    });

    t('kv: set/get, expiry, getMany, delete', async () => {
      const p = `kvt${seq++}:`;
      await store.kv.set(`${p}a`, '1');
      await store.kv.set(`${p}b`, '2', 60);
      assert.equal(await store.kv.get(`${p}a`), '1');
      assert.deepEqual(await store.kv.getMany([`${p}a`, `${p}b`, `${p}none`]), ['1', '2', null]);
      assert.equal(await store.kv.ttl(`${p}a`), Infinity);
      const ttl = await store.kv.ttl(`${p}b`);
      assert.ok(ttl !== null && ttl > 0 && ttl <= 60);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(await store.kv.get(`${p}b`), null, 'expired entries are gone');
      assert.equal(await store.kv.ttl(`${p}b`), null);
      await store.kv.delete(`${p}a`);
      assert.equal(await store.kv.get(`${p}a`), null);
    });

    t('kv: setIfAbsent is a lock; deleteIfEquals releases only one’s own', async () => {
      const lock = `lock${seq++}:refresh`;
      assert.equal(await store.kv.setIfAbsent(lock, 'owner-1', 5000), true);
      assert.equal(await store.kv.setIfAbsent(lock, 'owner-2', 5000), false);
      assert.equal(await store.kv.deleteIfEquals(lock, 'owner-2'), false);
      assert.equal(await store.kv.get(lock), 'owner-1');
      assert.equal(await store.kv.deleteIfEquals(lock, 'owner-1'), true);
      assert.equal(await store.kv.setIfAbsent(lock, 'owner-2', 50), true);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(await store.kv.setIfAbsent(lock, 'owner-3', 5000), true, 'an expired lock can be taken');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.kv.setIfAbsent(`${lock}-race`, `o${i}`, 5000)));
      assert.equal(results.filter(Boolean).length, 1, 'exactly one concurrent taker wins');
    });

    t('kv: a claim taken through one connection is refused through another (one run across processes)', async () => {
      if (!ctx.second) return;
      const other = await ctx.second();
      try {
        const claim = `claim${seq++}:acct-1:1767225600000`;
        const [a, b] = await Promise.all([store.kv.setIfAbsent(claim, 'instance-a', 5000), other.kv.setIfAbsent(claim, 'instance-b', 5000)]);
        assert.equal(Number(a) + Number(b), 1, 'exactly one connection wins');
        assert.equal(await other.kv.setIfAbsent(claim, 'instance-b', 5000), false);
        assert.equal(await store.kv.get(claim), a ? 'instance-a' : 'instance-b');
      } finally {
        await other.close();
      }
    });

    t('kv: scan by prefix returns live entries only, in key order', async () => {
      const ns = `scan${seq++}`;
      await store.kv.set(`${ns}:b`, 'B');
      await store.kv.set(`${ns}:a`, 'A');
      await store.kv.set(`${ns}:c`, 'C', 30);
      await store.kv.set(`${ns}x:a`, 'other namespace');
      await new Promise((r) => setTimeout(r, 60));
      assert.deepEqual(await store.kv.scan(`${ns}:`), [
        { key: `${ns}:a`, value: 'A' },
        { key: `${ns}:b`, value: 'B' },
      ]);
      assert.deepEqual(await store.kv.scan(`${ns}:b`), [{ key: `${ns}:b`, value: 'B' }]);
    });

    t('publish reaches local listeners (and, on shared backends, other instances)', async () => {
      const seen: ChangeEvent[] = [];
      const off = store.onChange((e) => seen.push(e));
      store.publish({ entity: 'health', id: 'acct-x' });
      await new Promise((r) => setTimeout(r, 20));
      off();
      assert.deepEqual(seen, [{ entity: 'health', id: 'acct-x' }]);
    });

    t('limits: concurrency leases are exact under parallel admits, released, and expire by themselves', async () => {
      const key = `lk-${seq++}`;
      const now = Date.now();
      const plan = (i: number) => ({ now, concurrency: { limit: 4, leaseId: `l${i}`, ttlMs: 60_000 } });
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.limits.admit(key, plan(i))));
      assert.equal(results.filter((r) => r.ok).length, 4, 'exactly 4 of 64 admitted');
      assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'concurrency'));
      const admitted = results.map((r, i) => (r.ok ? `l${i}` : null)).filter((x): x is string => x !== null);
      await store.limits.release(key, admitted[0]);
      assert.equal((await store.limits.admit(key, plan(100))).ok, true, 'a released slot is free again');
      assert.equal((await store.limits.admit(key, plan(101))).ok, false);
      // leases of a crashed process expire: 5 minutes later all slots are free without any release
      const later = { now: now + 120_000, concurrency: { limit: 4, leaseId: 'after', ttlMs: 60_000 } };
      assert.equal((await store.limits.admit(key, later)).ok, true);
      const c = await store.limits.counters(key, { now: now + 120_000, dailyLabel: 'd', weeklyLabel: null, windowMs: 0 });
      assert.equal(c.inFlight, 1);
      // renew keeps a lease alive past its first expiry
      await store.limits.renew(key, 'after', 600_000, now + 120_000);
      const c2 = await store.limits.counters(key, { now: now + 300_000, dailyLabel: 'd', weeklyLabel: null, windowMs: 0 });
      assert.equal(c2.inFlight, 1);
    });

    t('limits: the wait queue is FIFO and bounded, nobody jumps it, waiters leave or expire, figures are kept', async () => {
      const key = `lq-${seq++}`;
      const now = Date.now();
      const plan = (lease: string, waiter: string, at = now, ttlMs = 10_000) => ({
        now: at,
        concurrency: { limit: 1, leaseId: lease, ttlMs: 60_000, queue: { waiterId: waiter, maxWaiting: 2, ttlMs } },
      });
      assert.deepEqual(await store.limits.admit(key, plan('l1', 'w1')), { ok: true }, 'a free slot is taken at once');
      assert.deepEqual(await store.limits.admit(key, plan('l2', 'w2')), { ok: false, reason: 'queued', position: 1 });
      assert.deepEqual(await store.limits.admit(key, plan('l3', 'w3')), { ok: false, reason: 'queued', position: 2 });
      assert.deepEqual(await store.limits.admit(key, plan('l4', 'w4')), { ok: false, reason: 'queue_full' }, 'a full queue refuses at once');
      assert.equal(await store.limits.release(key, 'l1'), 2, 'release tells how many wait');
      assert.deepEqual(
        await store.limits.admit(key, plan('l3', 'w3')),
        { ok: false, reason: 'queued', position: 2 },
        'the second waiter may not take the slot',
      );
      assert.deepEqual(await store.limits.admit(key, plan('l4', 'w4b')), { ok: false, reason: 'queue_full' }, 'nor may a newcomer');
      assert.deepEqual(await store.limits.admit(key, plan('l2', 'w2')), { ok: true }, 'the first waiter takes it');
      await store.limits.release(key, 'l2');
      assert.deepEqual(
        await store.limits.admit(key, plan('l5', 'w5')),
        { ok: false, reason: 'queued', position: 2 },
        'a newcomer queues behind the waiter, though a slot is free',
      );
      assert.deepEqual(await store.limits.admit(key, plan('l3', 'w3')), { ok: true });
      await store.limits.leaveQueue(key, 'w5', 'cancelled');
      // A waiter of a crashed instance drops out after its ttl: the queue does not stay blocked.
      assert.deepEqual(await store.limits.admit(key, plan('l6', 'w6', now, 1000)), { ok: false, reason: 'queued', position: 1 });
      await store.limits.release(key, 'l3');
      assert.deepEqual(await store.limits.admit(key, plan('l7', 'w7', now + 5000)), { ok: true }, 'the expired waiter is gone');
      await store.limits.leaveQueue(key, 'w6', 'timeout');
      const s = await store.limits.queueStats(key, now + 5000);
      assert.deepEqual({ ...s, waitMsTotal: 0 }, { waiting: 0, entered: 4, served: 2, timeouts: 0, cancelled: 1, rejected: 2, waitMsTotal: 0 });
      await store.limits.reset(key);
      assert.deepEqual(await store.limits.queueStats(key, now), { waiting: 0, entered: 0, served: 0, timeouts: 0, cancelled: 0, rejected: 0, waitMsTotal: 0 });
    });

    t('limits: with the queue on, other limits refuse at once instead of queueing', async () => {
      const key = `lqd-${seq++}`;
      const now = Date.now();
      await store.limits.settle([{ keyId: key, at: now, tokens: 1, costNanos: 5_000, dailyLabel: 'D', weeklyLabel: null }]);
      const conc = (lease: string) => ({ limit: 1, leaseId: lease, ttlMs: 60_000, queue: { waiterId: `w-${lease}`, maxWaiting: 5, ttlMs: 10_000 } });
      assert.equal((await store.limits.admit(key, { now, concurrency: conc('a') })).ok, true);
      const r = await store.limits.admit(key, { now, concurrency: conc('b'), daily: { label: 'D', maxCostNanos: 5_000 } });
      assert.deepEqual(r, { ok: false, reason: 'daily_cost' });
      assert.equal((await store.limits.queueStats(key, now)).waiting, 0);
    });

    t('limits: a rate window admits exactly N requests, then refuses until it ends', async () => {
      const key = `lw-${seq++}`;
      const now = Date.now();
      const win = { ms: 60_000, maxRequests: 5, maxTokens: 0, maxCostNanos: 0 };
      const results = await Promise.all(Array.from({ length: 20 }, () => store.limits.admit(key, { now, window: win })));
      assert.equal(results.filter((r) => r.ok).length, 5);
      const refused = results.find((r) => !r.ok);
      assert.ok(refused && !refused.ok && refused.reason === 'window_requests' && refused.windowEndsAt === now + 60_000);
      assert.equal((await store.limits.admit(key, { now: now + 59_999, window: win })).ok, false);
      assert.equal((await store.limits.admit(key, { now: now + 60_000, window: win })).ok, true, 'a new window starts');
      const c = await store.limits.counters(key, { now: now + 60_000, dailyLabel: 'd', weeklyLabel: null, windowMs: 60_000 });
      assert.deepEqual(c.window, { start: now + 60_000, requests: 1, tokens: 0, costNanos: 0 });
    });

    t('limits: settled cost and tokens feed window, daily, weekly and total caps', async () => {
      const key = `lc-${seq++}`;
      const now = Date.now();
      const win = { ms: 600_000, maxRequests: 0, maxTokens: 1000, maxCostNanos: 0 };
      assert.equal((await store.limits.admit(key, { now, window: win })).ok, true);
      await store.limits.settle([
        { keyId: key, at: now, tokens: 600, costNanos: 4_000, dailyLabel: '2026-11-26', weeklyLabel: '2026-11-23T00:opus' },
        { keyId: key, at: now, tokens: 500, costNanos: 7_000, dailyLabel: '2026-11-26', weeklyLabel: null },
      ]);
      const c = await store.limits.counters(key, { now, dailyLabel: '2026-11-26', weeklyLabel: '2026-11-23T00:opus', windowMs: 600_000 });
      assert.deepEqual(c, {
        window: { start: now, requests: 1, tokens: 1100, costNanos: 11_000 },
        dailyCostNanos: 11_000,
        weeklyCostNanos: 4_000,
        totalCostNanos: 11_000,
        totalTokens: 1100,
        inFlight: 0,
      });
      const r1 = await store.limits.admit(key, { now, window: win });
      assert.ok(!r1.ok && r1.reason === 'window_tokens');
      const cases: [object, string][] = [
        [{ daily: { label: '2026-11-26', maxCostNanos: 11_000 } }, 'daily_cost'],
        [{ total: { maxCostNanos: 10_000, maxTokens: 0 } }, 'total_cost'],
        [{ total: { maxCostNanos: 0, maxTokens: 1100 } }, 'total_tokens'],
        [{ weekly: { label: '2026-11-23T00:opus', maxCostNanos: 4_000 } }, 'weekly_cost'],
      ];
      for (const [plan, reason] of cases) {
        const r = await store.limits.admit(key, { now, ...plan });
        assert.ok(!r.ok && r.reason === reason, reason);
      }
      assert.equal((await store.limits.admit(key, { now, daily: { label: '2026-11-27', maxCostNanos: 11_000 } })).ok, true, 'a new day starts from zero');
      assert.equal((await store.limits.admit(key, { now, total: { maxCostNanos: 11_001, maxTokens: 0 } })).ok, true);
      await store.limits.reset(key);
      const z = await store.limits.counters(key, { now, dailyLabel: '2026-11-26', weeklyLabel: '2026-11-23T00:opus', windowMs: 600_000 });
      assert.deepEqual(z, { window: null, dailyCostNanos: 0, weeklyCostNanos: 0, totalCostNanos: 0, totalTokens: 0, inFlight: 0 });
    });

    t('limits: seed sets the cost and token counters', async () => {
      const key = `ls-${seq++}`;
      const now = Date.now();
      await store.limits.seed(key, {
        now,
        totalCostNanos: 900,
        totalTokens: 50,
        daily: { label: 'D', costNanos: 300 },
        weekly: { label: 'W:opus', costNanos: 200 },
      });
      await store.limits.settle([{ keyId: key, at: now, tokens: 5, costNanos: 10, dailyLabel: 'D', weeklyLabel: 'W:opus' }]);
      const c = await store.limits.counters(key, { now, dailyLabel: 'D', weeklyLabel: 'W:opus', windowMs: 0 });
      assert.deepEqual(c, { window: null, dailyCostNanos: 310, weeklyCostNanos: 210, totalCostNanos: 910, totalTokens: 55, inFlight: 0 });
    });

    t('account slots: at most `limit` live leases per account, across instances; released and expired ones free a slot', async () => {
      const slot = (leaseId: string, now: number, ttlMs = 60_000) => ({ leaseId, limit: 2, ttlMs, now });
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l1', 1_000)), true);
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l2', 1_000, 500)), true);
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l3', 1_000)), false, 'full at the limit');
      assert.equal(await store.accountSlots.acquire('acc-other', slot('o1', 1_000)), true, 'accounts do not share slots');
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l3', 1_400)), false, 'l2 is still live');
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l3', 1_600)), true, 'l2 expired at 1500');
      await store.accountSlots.release('acc-s', 'l1');
      await store.accountSlots.release('acc-s', 'not-held');
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l4', 1_700)), true, 'released l1 freed a slot');
      assert.equal(await store.accountSlots.acquire('acc-s', slot('l5', 1_700)), false);
      if (!ctx.second) return;
      const other = await ctx.second();
      try {
        assert.equal(await other.accountSlots.acquire('acc-s', slot('x1', 1_700)), false, 'another instance sees the same slots');
        await store.accountSlots.release('acc-s', 'l4');
        assert.equal(await other.accountSlots.acquire('acc-s', slot('x1', 1_700)), true);
      } finally {
        await other.close();
      }
    });

    t('change events: local writes notify at once; other instances notice', async () => {
      const seen: ChangeEvent[] = [];
      const off = store.onChange((e) => seen.push(e));
      const k = makeKey();
      await store.apiKeys.create(k);
      off();
      assert.deepEqual(seen, [{ entity: 'apiKey', id: k.id }]);
      if (!ctx.second) return;
      const other = await ctx.second();
      try {
        const remote: ChangeEvent[] = [];
        store.onChange((e) => remote.push(e));
        await other.apiKeys.update(k.id, { isActive: false });
        const deadline = Date.now() + 3000;
        while (remote.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(remote.length > 0, 'the first instance heard about the other instance’s write');
        assert.ok(remote.some((e) => e.entity === '*' || (e.entity === 'apiKey' && e.id === k.id)));
        assert.equal((await store.apiKeys.get(k.id))?.isActive, false);
      } finally {
        await other.close();
      }
    });
  });
}

/** A Redis store on a fresh prefix and a raw client beside it, for tests that look at the keys; both closed after. */
async function withRawRedis(opts: { requestRetentionMs?: number }, fn: (store: Store, raw: Redis, prefix: string) => Promise<void>): Promise<void> {
  const { Redis: Client } = await import('ioredis');
  const prefix = testPrefix();
  const store = await openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix, ...opts });
  const raw = new Client(TEST_REDIS_URL);
  try {
    await fn(store, raw, prefix);
  } finally {
    raw.disconnect();
    await store.close();
    await dropPrefix(prefix);
  }
}

describe('Redis request-log indexes as requests are recorded', async () => {
  const reason = await redisSkipReason();
  test('a batch trims both indexes to the retention before its newest request, whatever their order', { skip: reason ?? false }, async () => {
    await withRawRedis({ requestRetentionMs: 60_000 }, async (store, raw, prefix) => {
      const t0 = Date.now();
      const at = (ms: number, keyId = 'trim-k') => makeEvent({ keyId, ts: t0 + ms });
      await store.usage.record([at(-120_000), at(-90_000, 'trim-other')]);
      // The newest comes third: entries more than 60 s older than it go (the one at -40 s too, which the first
      // request's cutoff would keep), from the overall and the per-key index.
      const kept = [at(-10_000), at(30_000), at(0)];
      await store.usage.record([kept[0], at(-40_000), kept[1], kept[2]]);
      const ids = (members: string[]) => [...members].sort();
      assert.deepEqual(ids(await raw.zrange(`${prefix}{u}:reqs`, 0, -1)), ids(kept.map((e) => e.requestId)));
      assert.deepEqual(ids(await raw.zrange(`${prefix}{u}:reqs:key:trim-k`, 0, -1)), ids(kept.map((e) => e.requestId)));
      assert.equal(await raw.zcard(`${prefix}{u}:reqs:key:trim-other`), 1, 'another key’s index is trimmed when that key records');
    });
  });

  test('documents are compact arrays; those an earlier version wrote as objects still read and prune', { skip: reason ?? false }, async () => {
    await withRawRedis({}, async (store, raw, prefix) => {
      const t0 = Date.now();
      const older = makeEvent({ keyId: 'doc-k', ts: t0 - 60_000, accountId: null, errorCode: 'upstream_overloaded', partial: true, status: 529 });
      // What an earlier version wrote: the whole event as a JSON object, in both indexes.
      await raw.set(`${prefix}{u}:req:${older.requestId}`, JSON.stringify(older));
      await raw.zadd(`${prefix}{u}:reqs`, older.ts, older.requestId);
      await raw.zadd(`${prefix}{u}:reqs:key:doc-k`, older.ts, older.requestId);
      const newer = makeEvent({ keyId: 'doc-k', ts: t0, model: 'claude "quoted" \\ ünïcode' });
      await store.usage.record([newer]);
      const doc = (await raw.get(`${prefix}{u}:req:${newer.requestId}`))!;
      const parsed = JSON.parse(doc) as unknown[];
      assert.ok(Array.isArray(parsed), doc);
      assert.deepEqual(parsed.slice(0, 3), [newer.requestId, newer.ts, 'doc-k'], 'the id, time and key lead');
      assert.ok(doc.length * 2 < JSON.stringify(newer).length, 'fewer than half the object form’s bytes');
      assert.deepEqual(await store.usage.recentRequests(10, { keyId: 'doc-k' }), [newer, older]);
      assert.deepEqual(await store.usage.recentRequests(10), [newer, older]);
      assert.equal(await store.usage.pruneRequests(t0 - 1), 1, 'the object-form entry is pruned');
      assert.deepEqual(await raw.zrange(`${prefix}{u}:reqs:key:doc-k`, 0, -1), [newer.requestId], 'from its key’s index too');
      assert.deepEqual(await store.usage.recentRequests(10), [newer]);
    });
  });
});

describe('Redis kv index holds live entries only', async () => {
  const reason = await redisSkipReason();
  test('expired sticky-like entries and claims leave nothing behind in the namespace index', { skip: reason ?? false }, async () => {
    await withRawRedis({}, async (store, raw, prefix) => {
      for (let i = 0; i < 50; i++) await store.kv.set(`sticky:k:${i}`, 'acct', 20);
      await new Promise((r) => setTimeout(r, 40));
      await store.kv.set('sticky:k:live', 'acct', 60_000);
      assert.equal(await raw.zcard(`${prefix}kvns:sticky`), 1, 'only the live entry is indexed');
      assert.deepEqual(await store.kv.scan('sticky:'), [{ key: 'sticky:k:live', value: 'acct' }]);
      // Claims (setIfAbsent), one key per occasion, are trimmed the same way.
      for (let i = 0; i < 20; i++) assert.equal(await store.kv.setIfAbsent(`claim:run:${i}`, 'me', 20), true);
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(await store.kv.setIfAbsent('claim:run:live', 'me', 60_000), true);
      assert.equal(await raw.zcard(`${prefix}kvns:claim`), 1, 'only the live claim is indexed');
    });
  });
});

describe('Data written by earlier versions: groups and sessions kept in kv move to their repositories', () => {
  const group = { id: 'g-legacy', name: 'legacy team', description: 'from kv', createdAt: 11, updatedAt: 12 };
  const adminDoc = JSON.stringify({ username: 'root', at: 5, ip: '10.1.2.3' });
  /** What the old version left, as kv key → (value, ttl). */
  const legacyKv: [string, string, number | undefined][] = [
    [`group:${group.id}`, JSON.stringify(group), undefined],
    ['oauth:session:s-legacy', 'sealed-blob', 600_000],
    ['adminsession:sid-legacy', adminDoc, 3_600_000],
    ['settings:kept', '1', undefined],
  ];
  async function check(store: Store): Promise<void> {
    assert.deepEqual(await store.groups.get(group.id), group);
    assert.deepEqual(
      (await store.groups.list()).map((g) => g.id),
      [group.id],
    );
    assert.equal(await store.oauthSessions.get('s-legacy'), 'sealed-blob');
    const ttl = await store.oauthSessions.ttl('s-legacy');
    assert.ok(ttl !== null && ttl > 500_000 && ttl <= 600_000, 'the session keeps its expiry');
    assert.deepEqual(await store.adminSessions.get('sid-legacy'), { sid: 'sid-legacy', username: 'root', createdAt: 5, ip: '10.1.2.3' });
    for (const ns of ['group:', 'oauth:session:', 'adminsession:']) assert.deepEqual(await store.kv.scan(ns), [], `nothing left in kv ${ns}`);
    assert.equal(await store.kv.get('settings:kept'), '1', 'other kv entries stay');
    assert.equal(await store.adminSessions.removeByUser('root'), 1, 'a moved admin session can be ended');
  }

  test('sqlite: the schema migration moves the kv rows', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crs-legacy-')), 'relay.db');
    const db = new Database(file);
    const before = 4; // the schema version that kept these entities in kv
    for (const m of MIGRATIONS.slice(0, before)) db.exec(m);
    db.pragma(`user_version = ${before}`);
    const insert = db.prepare('INSERT INTO kv (k, v, expires_at) VALUES (?, ?, ?)');
    for (const [k, v, ttl] of legacyKv) insert.run(k, v, ttl === undefined ? null : Date.now() + ttl);
    db.close();
    const store = new SqliteStore({ file, pollMs: 0 });
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });

  test('redis: opening the store moves the kv entries', async (t) => {
    // Checked inside the test (not in an async describe) so the test is reported in this suite.
    const reason = await redisSkipReason();
    if (reason) return t.skip(reason);
    const prefix = testPrefix();
    const old = await openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
    // The old version wrote through the kv repository (keys and namespace indexes alike).
    for (const [k, v, ttl] of legacyKv) await old.kv.set(k, v, ttl);
    await old.close();
    const store = await openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
    try {
      await check(store);
      const again = await openRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
      assert.deepEqual(await again.groups.get(group.id), group, 'opening again changes nothing');
      await again.close();
    } finally {
      await store.close();
      await dropPrefix(prefix);
    }
  });
});
