import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketLabels, bucketRange, bucketStart, labelsBetween, nextBucket } from './time-buckets.js';

const cases = [
  {
    name: 'UTC+8: 16:30 UTC is the next local day',
    ts: Date.UTC(2026, 10, 26, 16, 30),
    off: 8,
    want: { hour: '2026-11-27T00', day: '2026-11-27', month: '2026-11' },
  },
  { name: 'UTC+8: 15:59 UTC is still today', ts: Date.UTC(2026, 10, 26, 15, 59), off: 8, want: { hour: '2026-11-26T23', day: '2026-11-26', month: '2026-11' } },
  { name: 'UTC: month boundary', ts: Date.UTC(2026, 11, 31, 23, 59), off: 0, want: { hour: '2026-12-31T23', day: '2026-12-31', month: '2026-12' } },
  { name: 'UTC+8: new year locally', ts: Date.UTC(2026, 11, 31, 16, 0), off: 8, want: { hour: '2027-01-01T00', day: '2027-01-01', month: '2027-01' } },
  { name: 'UTC-5: previous local day', ts: Date.UTC(2026, 2, 1, 3, 0), off: -5, want: { hour: '2026-02-28T22', day: '2026-02-28', month: '2026-02' } },
  { name: 'UTC+5.5', ts: Date.UTC(2026, 0, 1, 18, 29), off: 5.5, want: { hour: '2026-01-01T23', day: '2026-01-01', month: '2026-01' } },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(bucketLabels(c.ts, c.off), c.want));
}

test('bucketStart inverts the label at the start of the bucket', () => {
  assert.equal(bucketStart('2026-11-27', 8), Date.UTC(2026, 10, 26, 16));
  assert.equal(bucketStart('2026-11-27T05', 8), Date.UTC(2026, 10, 26, 21));
  assert.equal(bucketStart('2026-11', 0), Date.UTC(2026, 10, 1));
  assert.throws(() => bucketStart('yesterday', 0), /bucket label/);
});

test('nextBucket crosses month and year ends', () => {
  assert.equal(nextBucket('2026-12-31T23', 'hour', 8), '2027-01-01T00');
  assert.equal(nextBucket('2026-02-28', 'day', 8), '2026-03-01');
  assert.equal(nextBucket('2026-12', 'month', -3), '2027-01');
});

test('bucketRange is inclusive at both ends', () => {
  const from = Date.UTC(2026, 10, 26, 15, 0);
  const to = Date.UTC(2026, 10, 26, 17, 0);
  assert.deepEqual(bucketRange('hour', from, to, 8), ['2026-11-26T23', '2026-11-27T00', '2026-11-27T01']);
  assert.deepEqual(bucketRange('day', from, to, 8), ['2026-11-26', '2026-11-27']);
  assert.deepEqual(bucketRange('month', from, to, 8), ['2026-11']);
  assert.equal(bucketRange('hour', 0, Date.UTC(2030, 0, 1), 0, 50).length, 50);
});

test('labelsBetween enumerates calendar labels inclusively', () => {
  assert.deepEqual(labelsBetween('day', '2026-02-27', '2026-03-02'), ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  assert.deepEqual(labelsBetween('hour', '2026-12-31T22', '2027-01-01T01'), ['2026-12-31T22', '2026-12-31T23', '2027-01-01T00', '2027-01-01T01']);
  assert.deepEqual(labelsBetween('month', '2026-11', '2026-10'), []);
});
