// The request-log retention job: Settings › Data & retention's days decide what the background pass deletes, a
// change of the setting prunes at once, and the admin API validates the section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/core/clock.js';
import { bucketLabels } from '../src/core/time-buckets.js';
import type { UsageEvent } from '../src/core/usage-event.js';
import { silentLogger } from '../src/platform/logger.js';
import { RequestLogRetention } from '../src/ops/request-log-retention.js';
import { SettingsService } from '../src/admin/settings.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const DAY = 86_400_000;
const ev = (id: string, ts: number): UsageEvent => ({
  requestId: id,
  ts,
  keyId: 'k1',
  accountId: 'a1',
  model: 'claude-sonnet-4-5',
  endpoint: '/v1/messages',
  stream: false,
  status: 200,
  durationMs: 5,
  usage: { input: 1, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
  costNanos: 1,
  partial: false,
  errorCode: null,
  buckets: bucketLabels(ts, 8),
});

test('the retention job deletes entries older than the configured days, and again when the setting changes', async (t) => {
  const store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'crs-ret-')), 'relay.db'), pollMs: 0 });
  t.after(() => store.close());
  const now = Date.UTC(2026, 11, 4, 12);
  const clock = new ManualClock(now);
  const log = silentLogger();
  const settings = new SettingsService(store, clock, log);
  await settings.load();
  await store.usage.record([ev('r40', now - 40 * DAY), ev('r20', now - 20 * DAY), ev('r5', now - 5 * DAY), ev('r0', now - 1000)]);
  const job = new RequestLogRetention({ store, settings, clock, log, startDelayMs: 60_000, intervalMs: 60_000 });
  const ids = async () => (await store.usage.recentRequests(10)).map((e) => e.requestId);

  assert.equal(settings.get('retention').requestLogDays, 30, 'default: 30 days');
  assert.deepEqual(await job.run(), { before: now - 30 * DAY, removed: 1 });
  assert.deepEqual(await ids(), ['r0', 'r5', 'r20']);

  job.start();
  t.after(() => job.stop());
  await settings.patch('retention', { requestLogDays: 7 }, 'admin');
  // The change listener runs the pass; wait for it.
  for (let i = 0; i < 50 && (await ids()).includes('r20'); i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await ids(), ['r0', 'r5'], 'shortening the retention prunes at once');
  assert.equal(job.last?.removed, 1);
  const rows = await store.usage.query({ granularity: 'month', fromBucket: bucketLabels(now - 40 * DAY, 8).month, toBucket: bucketLabels(now, 8).month });
  assert.equal(
    rows.reduce((n, r) => n + r.requests, 0),
    4,
    'usage statistics are not touched',
  );
});
