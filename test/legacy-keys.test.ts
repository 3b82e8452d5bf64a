// Imported keys (P10 item 5): the store swaps a key's hash atomically and takes imported aggregate rows (SQLite and
// Redis); ApiKeyService finds a key by the reference project's hash on a miss, then by ours — and a normal key or
// a relay without an import pays no extra lookup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, type ApiKey } from '../src/core/api-key.js';
import type { Clock } from '../src/core/clock.js';
import { CRS_HASH_PREFIX, crsKeyHash } from '../src/migrate/crs/crypto.js';
import { createSecrets } from '../src/platform/secrets.js';
import { ApiKeyService } from '../src/keys/api-keys.js';
import { rememberLegacyKey } from '../src/keys/legacy-keys.js';
import { openRedisStore } from '../src/store/redis/redis-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from './support/redis.js';

const CRS_KEY = 'reference-encryption-key-32chars';
const secrets = createSecrets('o'.repeat(32));

function imported(id: string, plaintext: string): ApiKey {
  return {
    id,
    name: `imported ${id}`,
    description: '',
    tags: [],
    hash: CRS_HASH_PREFIX + crsKeyHash(plaintext, CRS_KEY),
    prefix: 'cr_…',
    isActive: true,
    expiresAt: null,
    createdAt: 1,
    updatedAt: 1,
    lastUsedAt: null,
    deletedAt: null,
    owner: '',
    limits: { ...DEFAULT_LIMITS },
  };
}

const backends: { name: string; skip?: () => Promise<string | null>; open(): Promise<{ store: Store; cleanup(): Promise<void> }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
      return { store, cleanup: () => store.close() };
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
      };
    },
  },
];

for (const b of backends) {
  describe(`store (${b.name}): replaceHash and addRows`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let skip: string | null = null;
    before(async () => {
      skip = (await b.skip?.()) ?? null;
      if (!skip) ({ store, cleanup } = await b.open());
    });
    after(async () => {
      if (!skip) await cleanup();
    });

    test('replaceHash: swaps from → to once; concurrent swaps agree; a stranger hash is refused', async (t) => {
      if (skip) return t.skip(skip);
      const k = imported('k-swap', 'cr_swap');
      await store.apiKeys.create(k);
      const ours = secrets.hashApiKey('cr_swap');
      const [a, c] = await Promise.all([
        store.apiKeys.replaceHash(k.id, k.hash, ours, { prefix: 'cr_swap' }),
        store.apiKeys.replaceHash(k.id, k.hash, ours, { prefix: 'cr_swap' }),
      ]);
      assert.equal(a?.hash, ours);
      assert.equal(c?.hash, ours);
      assert.equal((await store.apiKeys.getByHash(ours))?.id, k.id);
      assert.equal(await store.apiKeys.getByHash(k.hash), null, 'the reference hash is gone');
      assert.equal((await store.apiKeys.get(k.id))?.prefix, 'cr_swap');
      assert.equal(await store.apiKeys.replaceHash(k.id, 'not-its-hash', 'x'), null);
      assert.equal(await store.apiKeys.replaceHash('no-such-key', 'a', 'b'), null);
      const other = imported('k-other', 'cr_other');
      await store.apiKeys.create(other);
      await assert.rejects(store.apiKeys.replaceHash(other.id, other.hash, ours), /already exists/);
      assert.equal((await store.apiKeys.get(other.id))?.hash, other.hash, 'unchanged after the conflict');
    });

    test('addRows: rows land in their buckets, add up on repeat, and write no request log', async (t) => {
      if (skip) return t.skip(skip);
      const row = {
        granularity: 'month' as const,
        bucket: '2026-06',
        keyId: 'k-rows',
        accountId: '',
        model: 'claude-sonnet-4-5',
        requests: 5,
        errors: 0,
        input: 100,
        output: 20,
        cacheWrite5m: 3,
        cacheWrite1h: 2,
        cacheRead: 50,
        costNanos: 1_500_000_000,
      };
      await store.usage.addRows([
        row,
        { ...row, granularity: 'day', bucket: '2026-06-03' },
        { ...row, granularity: 'hour', bucket: '2026-06-03T10', requests: 1 },
      ]);
      await store.usage.addRows([row]);
      const months = await store.usage.query({ granularity: 'month', fromBucket: '2026-01', toBucket: '2026-12', keyId: 'k-rows' });
      assert.deepEqual(months, [
        {
          bucket: '2026-06',
          keyId: 'k-rows',
          accountId: '',
          model: 'claude-sonnet-4-5',
          requests: 10,
          errors: 0,
          input: 200,
          output: 40,
          cacheWrite5m: 6,
          cacheWrite1h: 4,
          cacheRead: 100,
          costNanos: 3_000_000_000,
        },
      ]);
      assert.equal((await store.usage.query({ granularity: 'day', fromBucket: '2026-06-01', toBucket: '2026-06-30', keyId: 'k-rows' }))[0].requests, 5);
      assert.equal((await store.usage.query({ granularity: 'hour', fromBucket: '2026-06-03T00', toBucket: '2026-06-03T23', keyId: 'k-rows' }))[0].requests, 1);
      assert.deepEqual(await store.usage.recentRequests(10, { keyId: 'k-rows' }), []);
    });
  });
}

describe('ApiKeyService: the reference hash as a fallback on a miss', () => {
  const clock: Clock = { now: () => Date.now() };
  let store: Store;
  let calls: string[];
  let keys: ApiKeyService;
  before(() => {
    store = new SqliteStore({ file: ':memory:', pollMs: 0 });
    calls = [];
    const getByHash = store.apiKeys.getByHash.bind(store.apiKeys);
    store.apiKeys.getByHash = (h) => {
      calls.push(h.startsWith(CRS_HASH_PREFIX) ? 'reference' : 'ours');
      return getByHash(h);
    };
    keys = new ApiKeyService(store, secrets, clock);
  });
  after(() => store.close());

  test('a normal key, and an unknown key on a relay that never imported: one lookup each', async () => {
    const { key } = await keys.create({ name: 'normal' });
    calls.length = 0;
    assert.equal((await keys.authenticate(key)).name, 'normal');
    assert.deepEqual(calls, ['ours']);
    calls.length = 0;
    await assert.rejects(keys.authenticate('cr_' + 'f'.repeat(64)), /API key not found/);
    assert.deepEqual(calls, ['ours']);
  });

  test('an imported key: found by the reference hash once, then re-hashed and found by ours', async () => {
    const plaintext = 'cr_' + 'a1'.repeat(32);
    await store.apiKeys.create(imported('k-imported', plaintext));
    await rememberLegacyKey(store, secrets, CRS_KEY, Date.now());
    calls.length = 0;
    const first = await keys.authenticate(plaintext);
    assert.equal(first.id, 'k-imported');
    assert.deepEqual(calls, ['ours', 'reference']);
    const rec = (await store.apiKeys.get('k-imported'))!;
    assert.equal(rec.hash, secrets.hashApiKey(plaintext), 'now under this relay’s HMAC');
    assert.equal(rec.prefix, plaintext.slice(0, 11));

    // A fresh service (another instance, or after the cache): found by our hash alone.
    const other = new ApiKeyService(store, secrets, clock);
    calls.length = 0;
    assert.equal((await other.authenticate(plaintext)).id, 'k-imported');
    assert.deepEqual(calls, ['ours']);

    // After an import, an unknown key costs exactly one more lookup; a key hashed with another reference key is
    // not found (the reference ENCRYPTION_KEY is part of its hash).
    calls.length = 0;
    await assert.rejects(other.authenticate('cr_' + 'e'.repeat(64)), /API key not found/);
    assert.deepEqual(calls, ['ours', 'reference']);
    const foreign = 'cr_' + 'b2'.repeat(32);
    await store.apiKeys.create({ ...imported('k-foreign', foreign), hash: CRS_HASH_PREFIX + crsKeyHash(foreign, 'some-other-reference-key-32chars') });
    await assert.rejects(other.authenticate(foreign), /API key not found/);
  });

  test('rememberLegacyKey keeps each reference key once', async () => {
    await rememberLegacyKey(store, secrets, CRS_KEY, Date.now());
    await rememberLegacyKey(store, secrets, 'second-reference-key-32-chars-xx', Date.now());
    const stored = JSON.parse((await store.kv.get('settings:crs-import'))!) as { keys: string[] };
    assert.deepEqual(
      stored.keys.map((k) => secrets.open(k)),
      [CRS_KEY, 'second-reference-key-32-chars-xx'],
    );
  });
});
