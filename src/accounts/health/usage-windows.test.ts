import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../platform/logger.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { KvRepo } from '../../store/types.js';
import { UsageWindows, windowView } from './usage-windows.js';

const T0 = Date.UTC(2026, 0, 1);
const h5 = (utilization: number, status: 'allowed' | 'warning' | 'rejected' = 'allowed') => ({
  id: '5h' as const,
  utilization,
  resetsAt: T0 + 3600_000,
  status,
});
const d7 = { id: '7d' as const, utilization: 0.3, resetsAt: T0 + 3 * 86_400_000, status: 'allowed' as const };

function setup() {
  const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
  let writes = 0;
  const kv: KvRepo = { ...store.kv, set: (k, v, ttl) => (writes++, store.kv.set(k, v, ttl)) };
  const clock = new ManualClock(T0);
  return { store, kv, clock, w: new UsageWindows(kv, clock, silentLogger()), writes: () => writes };
}

test('windows: stored per account with a TTL up to the latest reset; one round trip for many accounts', async () => {
  const { store, w } = setup();
  await w.save('a', [h5(0.1), d7]);
  assert.deepEqual(
    (await w.get('a')).map((x) => x.id),
    ['5h', '7d'],
  );
  const ttl = await store.kv.ttl('windows:a');
  assert.ok(ttl !== null && ttl > 2 * 86_400_000 && ttl <= 3 * 86_400_000);
  const many = await w.getMany(['a', 'b']);
  assert.equal(many[0].length, 2);
  assert.deepEqual(many[1], []);
  assert.deepEqual(windowView(many[0][0]), {
    id: '5h',
    utilization: 0.1,
    resetsAt: new Date(T0 + 3600_000).toISOString(),
    status: 'allowed',
    observedAt: new Date(T0).toISOString(),
  });
  await store.close();
});

test('windows: a partial observation keeps the other known windows; identical ones are not rewritten within a minute', async () => {
  const { store, w, clock, writes } = setup();
  await w.save('a', [h5(0.1), d7]);
  clock.advance(1000);
  await w.save('a', [h5(0.2, 'warning')]);
  const got = await w.get('a');
  assert.deepEqual(
    got.map((x) => [x.id, x.utilization, x.status]),
    [
      ['5h', 0.2, 'warning'],
      ['7d', 0.3, 'allowed'],
    ],
  );
  const before = writes();
  clock.advance(1000);
  await w.save('a', [h5(0.2, 'warning')]);
  assert.equal(writes(), before, 'unchanged: no store write');
  clock.advance(61_000);
  await w.save('a', [h5(0.2, 'warning')]);
  assert.equal(writes(), before + 1, 'refreshed observedAt after a minute');
  clock.set(T0 + 2 * 3600_000); // the 5h window has reset
  await w.save('a', [d7]);
  assert.deepEqual(
    (await w.get('a')).map((x) => x.id),
    ['7d'],
    'a reset window is dropped',
  );
  await store.close();
});
