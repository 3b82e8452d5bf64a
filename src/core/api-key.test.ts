import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, limitsFromWire, limitsToWire, withKeyDefaults, type ApiKey } from './api-key.js';

test('cost limits: USD on the wire ↔ integer nano-USD in the record, exactly', () => {
  for (const usd of [0, 0.000001, 0.1, 0.3, 0.07, 2.5, 12.345678, 999_999.99, 1_000_000]) {
    const l = { ...DEFAULT_LIMITS, ...limitsFromWire({ dailyCostLimit: usd }) };
    assert.ok(Number.isInteger(l.dailyCostLimitNanos), `${usd}`);
    assert.equal(l.dailyCostLimitNanos, Math.round(usd * 1e9));
    assert.equal(limitsToWire(l).dailyCostLimit, usd, 'shown as typed');
  }
  assert.equal(limitsFromWire({ dailyCostLimit: 0.1 }).dailyCostLimitNanos, 100_000_000);
  // Field order and the other fields are kept; the nano field wins over a stray USD one.
  assert.deepEqual(
    Object.keys(limitsToWire(DEFAULT_LIMITS)),
    Object.keys(DEFAULT_LIMITS).map((k) => k.replace(/Nanos$/, '')),
  );
  assert.deepEqual(limitsFromWire({ tokenLimit: 5, dailyCostLimit: 9, dailyCostLimitNanos: 7 }), { tokenLimit: 5, dailyCostLimitNanos: 7 });
});

test('withKeyDefaults: a record from before nano-USD limits is converted, a current one passes through as is', () => {
  const current = { id: 'k', owner: '', limits: { ...DEFAULT_LIMITS, dailyCostLimitNanos: 5 } } as unknown as ApiKey;
  assert.equal(withKeyDefaults(current), current);
  const old = { id: 'k', owner: '', limits: { tokenLimit: 3, dailyCostLimit: 0.1, weeklyOpusCostLimit: 30 } } as unknown as ApiKey;
  const l = withKeyDefaults(old).limits;
  assert.deepEqual([l.tokenLimit, l.dailyCostLimitNanos, l.weeklyOpusCostLimitNanos, l.totalCostLimitNanos], [3, 100_000_000, 30e9, 0]);
  assert.ok(!('dailyCostLimit' in l));
});
