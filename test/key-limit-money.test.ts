// Cost limits in integer nano-USD (P11 item 7), on SQLite and Redis: a record stored before (USD under the reference
// names) still loads, converted; the admin view shows USD again; and a $0.10 cap meets accumulated nano-USD costs
// exactly at its boundary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, type ApiKey } from '../src/core/api-key.js';
import { ManualClock } from '../src/core/clock.js';
import { isRelayError } from '../src/core/errors.js';
import { bucketLabel } from '../src/core/time-buckets.js';
import { apiKeyView } from '../src/http/admin/keys/views.js';
import { silentLogger } from '../src/platform/logger.js';
import { createSecrets } from '../src/platform/secrets.js';
import { ApiKeyService } from '../src/keys/api-keys.js';
import { KeyGate } from '../src/keys/key-gate.js';
import { openRedisStore } from '../src/store/redis/redis-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from './support/redis.js';

const secrets = createSecrets('m'.repeat(32));
const TZ = 8;
const NOW = Date.UTC(2026, 5, 1, 4); // 12:00 in UTC+8, far from a day boundary

/** A key record as versions before nano-USD limits wrote it: cost limits in USD under the reference names. */
function oldFormatKey(id: string, plaintext: string): ApiKey {
  const { rateLimitCostNanos, dailyCostLimitNanos, totalCostLimitNanos, weeklyOpusCostLimitNanos, ...rest } = DEFAULT_LIMITS;
  void [rateLimitCostNanos, dailyCostLimitNanos, totalCostLimitNanos, weeklyOpusCostLimitNanos];
  return {
    id,
    name: 'old format',
    description: '',
    tags: [],
    hash: secrets.hashApiKey(plaintext),
    prefix: plaintext.slice(0, 11),
    isActive: true,
    expiresAt: null,
    createdAt: NOW - 86_400_000,
    updatedAt: NOW - 86_400_000,
    lastUsedAt: null,
    deletedAt: null,
    owner: '',
    limits: { ...rest, rateLimitWindow: 60, rateLimitCost: 0.3, dailyCostLimit: 0.1, totalCostLimit: 12.5, weeklyOpusCostLimit: 7 } as never,
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
  describe(`cost limits in nano-USD (${b.name})`, async () => {
    const skip = b.skip ? await b.skip() : null;
    let store: Store;
    let cleanup: () => Promise<void>;
    const clock = new ManualClock(NOW);
    before(async () => {
      if (skip) return;
      ({ store, cleanup } = await b.open());
    });
    after(async () => {
      if (!skip) await cleanup();
    });

    test('a record stored with USD limits loads in nano-USD, and the admin view shows the same USD', { skip: skip ?? undefined }, async () => {
      const plaintext = 'cr_' + 'a'.repeat(64);
      await store.apiKeys.create(oldFormatKey('old-1', plaintext));
      const keys = new ApiKeyService(store, secrets, clock, TZ);
      for (const k of [await keys.get('old-1'), await keys.authenticate(plaintext), (await keys.list({})).items[0]]) {
        const l = k.limits as unknown as Record<string, unknown>;
        assert.deepEqual(
          [l.rateLimitCostNanos, l.dailyCostLimitNanos, l.totalCostLimitNanos, l.weeklyOpusCostLimitNanos],
          [300_000_000, 100_000_000, 12_500_000_000, 7_000_000_000],
        );
        assert.ok(!('dailyCostLimit' in l), 'the USD field is gone from the loaded record');
      }
      const view = apiKeyView(await keys.get('old-1'), NOW);
      assert.deepEqual([view.rateLimitCost, view.dailyCostLimit, view.totalCostLimit, view.weeklyOpusCostLimit], [0.3, 0.1, 12.5, 7]);
      assert.ok(!('dailyCostLimitNanos' in view), 'the wire keeps the reference names');
      // The raw record read from the store is the view's input too (the key-holder page reads it so).
      const raw = (await store.apiKeys.get('old-1'))!;
      assert.equal(apiKeyView(raw, NOW).dailyCostLimit, 0.1);
      // Saving it again (any edit) writes nano-USD only.
      await keys.update('old-1', { description: 'edited' });
      const saved = (await store.apiKeys.get('old-1'))!.limits as unknown as Record<string, unknown>;
      assert.equal(saved.dailyCostLimitNanos, 100_000_000);
      assert.ok(!('dailyCostLimit' in saved));
    });

    test('a $0.10 daily cap: admitted at 99 999 999 nano-USD used, refused at exactly 100 000 000', { skip: skip ?? undefined }, async () => {
      const plaintext = 'cr_' + 'b'.repeat(64);
      await store.apiKeys.create(oldFormatKey('old-2', plaintext));
      const keys = new ApiKeyService(store, secrets, clock, TZ);
      const gate = new KeyGate(store, clock, silentLogger(), { timezoneOffsetHours: TZ });
      const key = await keys.authenticate(plaintext);
      const req = { service: 'claude' as const, model: 'claude-sonnet-4-5', client: null };
      const spend = (costNanos: number) =>
        store.limits.settle([{ keyId: key.id, at: clock.now(), tokens: 1, costNanos, dailyLabel: bucketLabel(clock.now(), 'day', TZ), weeklyLabel: null }]);
      // $0.07 + $0.02 + $0.009999999: as USD floats these do not add up to what they say; as nano-USD they do.
      await spend(70_000_000);
      await spend(20_000_000);
      await spend(9_999_999);
      (await gate.admit(key, req)).release();
      await spend(1);
      await assert.rejects(
        gate.admit(key, req),
        (e) => isRelayError(e) && e.code === 'KEY_DAILY_COST_LIMIT' && /Daily cost limit of \$0\.1 reached/.test(e.message),
      );
    });
  });
}
