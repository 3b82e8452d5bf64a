// A key's effective wait queue: its own fields over the Settings defaults; and the local waiting line: a waiter
// that times out or is aborted leaves the store's queue, one whose try is in flight is decided by that try.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, type ApiKeyLimits } from '../core/api-key.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../platform/logger.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { RELAY_DEFAULTS } from '../admin/settings-schemas.js';
import { queueConfig, WaitQueue } from './wait-queue.js';

const limits = (over: Partial<ApiKeyLimits>): ApiKeyLimits => ({ ...DEFAULT_LIMITS, ...over });

test('queue config: off without a concurrency limit, the key decides, else the Settings default', () => {
  const on = { ...RELAY_DEFAULTS, concurrentRequestQueueEnabled: true };
  assert.equal(queueConfig(limits({ concurrentRequestQueueEnabled: true }), on), null, 'no concurrency limit, nothing to wait for');
  assert.equal(queueConfig(limits({ concurrencyLimit: 2 }), RELAY_DEFAULTS), null, 'default off');
  assert.deepEqual(queueConfig(limits({ concurrencyLimit: 2 }), on), { maxWaiting: 3, maxWaitMs: 10_000 });
  assert.equal(queueConfig(limits({ concurrencyLimit: 2, concurrentRequestQueueEnabled: false }), on), null, 'a key may opt out');
  assert.deepEqual(
    queueConfig(limits({ concurrencyLimit: 2, concurrentRequestQueueEnabled: true }), RELAY_DEFAULTS),
    { maxWaiting: 3, maxWaitMs: 10_000 },
    'or in',
  );
  assert.deepEqual(
    queueConfig(limits({ concurrencyLimit: 4 }), { ...on, concurrentRequestQueueMaxSizeMultiplier: 2.5 }),
    { maxWaiting: 10, maxWaitMs: 10_000 },
    'limit × multiplier when larger',
  );
  assert.deepEqual(
    queueConfig(limits({ concurrencyLimit: 4, concurrentRequestQueueMaxSize: 7, concurrentRequestQueueTimeoutMs: 2500 }), on),
    { maxWaiting: 7, maxWaitMs: 2500 },
    "the key's own size and wait",
  );
  const legacy = { ...limits({ concurrencyLimit: 1 }) } as Partial<ApiKeyLimits>;
  delete legacy.concurrentRequestQueueEnabled;
  delete legacy.concurrentRequestQueueMaxSize;
  assert.deepEqual(queueConfig(legacy as ApiKeyLimits, on), { maxWaiting: 3, maxWaitMs: 10_000 }, 'a key stored before the fields existed follows the default');
});

test('the local line: timeout and abort leave the store queue; a try in flight decides', async () => {
  const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
  const q = new WaitQueue(store, systemClock, silentLogger(), { pollMs: 50 });
  try {
    const key = 'k1';
    const plan = (w: string) => ({
      now: Date.now(),
      concurrency: { limit: 1, leaseId: `l-${w}`, ttlMs: 60_000, queue: { waiterId: w, maxWaiting: 5, ttlMs: 60_000 } },
    });
    assert.equal((await store.limits.admit(key, plan('holder'))).ok, true);
    assert.equal((await store.limits.admit(key, plan('w1'))).ok, false);
    const timedOut = await q.wait(key, 'w1', () => store.limits.admit(key, plan('w1')), { maxWaitMs: 120 });
    assert.deepEqual(timedOut, { kind: 'timeout' });
    const ctl = new AbortController();
    assert.equal((await store.limits.admit(key, plan('w2'))).ok, false);
    const aborted = q.wait(key, 'w2', () => store.limits.admit(key, plan('w2')), { maxWaitMs: 5000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 30);
    assert.deepEqual(await aborted, { kind: 'cancelled' });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await store.limits.queueStats(key, Date.now()), {
      waiting: 0,
      entered: 2,
      served: 0,
      timeouts: 1,
      cancelled: 1,
      rejected: 0,
      waitMsTotal: 0,
    });
    // A slot that frees while w3 waits: the poll (no event here) lets it in.
    assert.equal((await store.limits.admit(key, plan('w3'))).ok, false);
    const served = q.wait(key, 'w3', () => store.limits.admit(key, plan('w3')), { maxWaitMs: 5000 });
    await store.limits.release(key, 'l-holder');
    assert.deepEqual(await served, { kind: 'answer', result: { ok: true } });
    const f = q.localFigures().get(key)!;
    assert.deepEqual(
      { entered: f.entered, served: f.served, timeouts: f.timeouts, cancelled: f.cancelled },
      { entered: 3, served: 1, timeouts: 1, cancelled: 1 },
    );
    assert.equal(q.waitingNow().size, 0);
  } finally {
    q.close();
    await store.close();
  }
});
