import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { GRANULARITIES, type UsageEvent } from '../core/usage-event.js';
import { UsageAggregator } from './usage-agg.js';

const event = (keyId: string, accountId: string | null, model: string, hour: string, n: number, status: number): UsageEvent => ({
  requestId: `req-${n}`,
  ts: n,
  keyId,
  accountId,
  model,
  endpoint: '/v1/messages',
  stream: false,
  status,
  durationMs: 1,
  usage: { input: n, output: 2 * n, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5 },
  costNanos: 10 * n,
  partial: false,
  errorCode: null,
  // Fresh label objects each time, as events recorded in different hours (or read back) have.
  buckets: { hour: `2026-12-${hour}`, day: `2026-12-${hour.slice(0, 2)}`, month: '2026-12' },
});

/** What the rows must hold: each event added to its three rows, summed without any shortcut. */
function expected(events: UsageEvent[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    const adds: Record<string, number> = { requests: 1, errors: e.status >= 400 ? 1 : 0, ...e.usage, costNanos: e.costNanos };
    for (const g of GRANULARITIES) {
      const dims = { g, bucket: e.buckets[g], keyId: e.keyId, accountId: e.accountId ?? '', model: e.model };
      const id = Object.values(dims).join('|');
      const r = out.get(id) ?? { ...dims, ...Object.fromEntries(Object.keys(adds).map((k) => [k, 0])) };
      for (const [k, n] of Object.entries(adds)) r[k] = (r[k] as number) + n;
      out.set(id, r);
    }
  }
  return out;
}

test('usage aggregates: any sequence of events (runs of one key, account, model and hour, and changes) sums into one row per id', () => {
  const ev = fc.record({
    key: fc.constantFrom('k1', 'k2'),
    account: fc.constantFrom('a1', 'a2', null),
    model: fc.constantFrom('m1', 'm2'),
    hour: fc.constantFrom('07T10', '07T11', '08T10'),
    status: fc.constantFrom(200, 200, 529),
  });
  fc.assert(
    fc.property(fc.array(ev, { maxLength: 40 }), (specs) => {
      const events = specs.map((s, i) => event(s.key, s.account, s.model, s.hour, i + 1, s.status));
      const agg = new UsageAggregator();
      for (const e of events) agg.add(e);
      const got = [...agg.rows.values()].map((r) => ({ ...r }));
      const want = [...expected(events).values()];
      const order = (r: Record<string, unknown>) => [r.g, r.bucket, r.keyId, r.accountId, r.model].join('|');
      assert.deepEqual(
        got.sort((a, b) => order(a).localeCompare(order(b))),
        want.sort((a, b) => order(a).localeCompare(order(b))),
      );
    }),
    { numRuns: 300 },
  );
});
