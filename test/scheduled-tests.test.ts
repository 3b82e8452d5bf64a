// Scheduled account tests against a real relay and the fake upstream, with an injected clock (no minute-long
// sleeps): the admin API validates cron and model in its error shape; a due test runs once through the Test
// button's path and lands in the history, a failing one with its error (no credentials in it); shutdown cancels a
// test in flight; two relay processes on one Redis run each due test once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/core/clock.js';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from './support/redis.js';

const KEY = 'sk-ant-api03-scheduled-test-account-key';
const HOUR = 3_600_000;
/** 30 s before the next whole hour: an hourly schedule saved now first falls due 30 s later. */
const beforeNextHour = () => Math.floor(Date.now() / HOUR) * HOUR + HOUR - 30_000;
const testRequests = (fake: FakeUpstream) => fake.requests.filter((r) => r.path === '/v1/messages').length;

describe('scheduled account tests (SQLite)', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let clock: ManualClock;
  let id = '';

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [KEY] });
    clock = new ManualClock(beforeNextHour());
    t = await startRelay({ clock });
    id = (await t.addAccount(fake.url, { name: 'scheduled', apiKey: KEY })).id;
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  test('GET proposes a daily test with the kind’s model; PUT refuses a bad cron or model in the admin error shape', async () => {
    assert.equal((await t.admin('GET', '/accounts/nope/scheduled-test')).status, 404);
    const fresh = await t.admin('GET', `/accounts/${id}/scheduled-test`);
    assert.equal(fresh.status, 200);
    const f = fresh.json;
    assert.deepEqual(
      { enabled: f.enabled, cron: f.cron, model: f.model, tz: f.timezoneOffsetHours, next: f.nextRunAt, history: f.history },
      { enabled: false, cron: '0 8 * * *', model: 'claude-haiku-4-5', tz: 8, next: null, history: [] },
    );
    const cases: { body: unknown; path: string; message: RegExp }[] = [
      { body: { enabled: true, cron: 'every morning', model: 'claude-haiku-4-5' }, path: 'cron', message: /not a cron expression/ },
      { body: { enabled: true, cron: '61 8 * * *', model: 'claude-haiku-4-5' }, path: 'cron', message: /minute/ },
      { body: { enabled: true, cron: '* * * * *', model: 'claude-haiku-4-5' }, path: 'cron', message: /more often than every 5 minutes/ },
      { body: { enabled: true, cron: '0 8 * * *', model: 'claude haiku!' }, path: 'model', message: /model name/ },
      { body: { enabled: true, cron: '0 8 * * *', model: '' }, path: 'model', message: /.+/ },
      { body: { enabled: 'yes', cron: '0 8 * * *', model: 'claude-haiku-4-5' }, path: 'enabled', message: /.+/ },
      { body: { enabled: true, cron: '0 8 * * *', model: 'claude-haiku-4-5', prompt: 'x' }, path: '', message: /prompt/ },
    ];
    for (const c of cases) {
      const r = await t.admin('PUT', `/accounts/${id}/scheduled-test`, c.body);
      assert.equal(r.status, 400, JSON.stringify(c.body));
      assert.equal(r.json.error.code, 'VALIDATION_FAILED');
      assert.ok(r.json.error.requestId);
      assert.match(r.json.error.message, c.message);
      assert.ok(
        r.json.error.details.some((d: { path: string }) => d.path === c.path),
        `${JSON.stringify(r.json.error.details)} names ${c.path}`,
      );
    }
    // An account that serves a listed set of models refuses a schedule for another one.
    const picky = (await t.addAccount(fake.url, { name: 'picky', apiKey: KEY, supportedModels: ['claude-sonnet-4-5'] })).id;
    const refused = await t.admin('PUT', `/accounts/${picky}/scheduled-test`, { enabled: true, cron: '0 8 * * *', model: 'claude-opus-4-1' });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /model: the account does not serve claude-opus-4-1 \(it serves: claude-sonnet-4-5\)/);
    await t.admin('DELETE', `/accounts/${picky}`);
    assert.equal((await t.admin('GET', `/accounts/${id}/scheduled-test`)).json.updatedAt, null, 'nothing was stored');
    const doc = await t.admin('GET', '/openapi.json');
    assert.ok(doc.json.paths['/admin/accounts/{id}/scheduled-test'].put.requestBody, 'the routes are documented with the body schema');
  });

  test('a due test runs once through the test path and is recorded; a failing one records its error without the key', async () => {
    const saved = await t.admin('PUT', `/accounts/${id}/scheduled-test`, { enabled: true, cron: '0 * * * *', model: 'claude-sonnet-4-5' });
    assert.equal(saved.status, 200);
    const firstDue = clock.now() + 30_000;
    assert.equal(saved.json.nextRunAt, new Date(firstDue).toISOString());
    assert.equal(saved.json.updatedBy, 'admin');
    fake.reset();
    await t.relay.scheduledTests.tick();
    assert.equal(testRequests(fake), 0, 'not due yet');

    clock.set(firstDue + 10_000);
    await t.relay.scheduledTests.tick();
    await t.relay.scheduledTests.tick();
    assert.equal(testRequests(fake), 1, 'ran once, not once per tick');
    assert.equal(fake.requests[0].json.model, 'claude-sonnet-4-5');
    let view = (await t.admin('GET', `/accounts/${id}/scheduled-test`)).json;
    assert.equal(view.history.length, 1);
    const run = view.history[0];
    assert.deepEqual(
      { at: run.at, ok: run.ok, status: run.status, model: run.model, error: run.error },
      { at: new Date(firstDue + 10_000).toISOString(), ok: true, status: 200, model: 'claude-sonnet-4-5', error: null },
    );
    assert.ok(run.durationMs >= 0);
    assert.equal(view.nextRunAt, new Date(firstDue + HOUR).toISOString());
    const last = (await t.admin('GET', `/accounts/${id}/health-history`)).json.lastTest;
    assert.equal(last.trigger, 'scheduled', 'the drawer’s last test is the scheduled run');

    // The next hour the upstream refuses the key and quotes it back.
    fake.enqueue({ kind: 'error', status: 401, type: 'authentication_error', message: `invalid x-api-key ${KEY}` }, { apiKey: KEY });
    clock.set(firstDue + HOUR + 5_000);
    await t.relay.scheduledTests.tick();
    assert.equal(testRequests(fake), 2);
    view = (await t.admin('GET', `/accounts/${id}/scheduled-test`)).json;
    assert.equal(view.history.length, 2);
    const failed = view.history[0];
    assert.equal(failed.ok, false);
    assert.equal(failed.status, 401);
    assert.match(failed.error, /invalid x-api-key/);
    assert.equal(JSON.stringify(view).includes(KEY), false, 'the account key never comes back');
    assert.equal(JSON.stringify(view).includes('scheduled-test-account'), false);

    // Past the grace window a missed occasion is not caught up; a disabled schedule does not run.
    clock.set(firstDue + 2 * HOUR + 5 * 60_000);
    await t.relay.scheduledTests.tick();
    assert.equal(testRequests(fake), 2, 'a test 5 minutes late is skipped');
    await t.admin('PUT', `/accounts/${id}/scheduled-test`, { enabled: false, cron: '0 * * * *', model: 'claude-sonnet-4-5' });
    clock.set(firstDue + 3 * HOUR);
    await t.relay.scheduledTests.tick();
    assert.equal(testRequests(fake), 2);
  });

  test('shutdown cancels a scheduled test in flight and records it', async () => {
    const extra = await startRelay({ clock });
    try {
      const acc = (await extra.addAccount(fake.url, { name: 'hangs', apiKey: KEY })).id;
      await extra.admin('PUT', `/accounts/${acc}/scheduled-test`, { enabled: true, cron: '0 * * * *', model: 'claude-haiku-4-5' });
      fake.reset();
      fake.enqueue({ kind: 'hang' }, { apiKey: KEY });
      clock.set(Math.ceil(clock.now() / HOUR) * HOUR + 1_000);
      const pass = extra.relay.scheduledTests.tick();
      await fake.waitForRequests(1, 5_000);
      const started = performance.now();
      await extra.relay.scheduledTests.stop();
      await pass;
      assert.ok(performance.now() - started < 2_000, 'stop() does not wait for the 60 s test timeout');
      const runs = await extra.relay.store.kv.get(`acct-test-log:${acc}`);
      assert.match(runs ?? '', /cancelled: the relay is shutting down/);
    } finally {
      await extra.close();
    }
  });
});

describe('scheduled account tests on one Redis, two relay processes', async () => {
  const reason = await redisSkipReason();
  test('each due test runs once, not once per process', { skip: reason ?? false }, async () => {
    const fake = await createFakeUpstream({ apiKeys: [KEY] });
    const prefix = testPrefix();
    const clock = new ManualClock(beforeNextHour());
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, ENCRYPTION_KEY: 'e'.repeat(32), JWT_SECRET: 'j'.repeat(40) };
    const a = await startRelay({ env, clock });
    const b = await startRelay({ env, clock });
    try {
      const id = (await a.addAccount(fake.url, { name: 'shared', apiKey: KEY })).id;
      await b.relay.pool.reload();
      assert.equal((await a.admin('PUT', `/accounts/${id}/scheduled-test`, { enabled: true, cron: '0 * * * *', model: 'claude-haiku-4-5' })).status, 200);
      const due = clock.now() + 30_000;
      for (let hour = 0; hour < 3; hour++) {
        clock.set(due + hour * HOUR + 1_000);
        await Promise.all([a.relay.scheduledTests.tick(), b.relay.scheduledTests.tick(), a.relay.scheduledTests.tick(), b.relay.scheduledTests.tick()]);
        assert.equal(testRequests(fake), hour + 1, `occasion ${hour + 1} ran once across both processes`);
      }
      const view = (await b.admin('GET', `/accounts/${id}/scheduled-test`)).json;
      assert.equal(view.history.length, 3, 'both processes see the one history');
      assert.ok(view.history.every((r: { ok: boolean }) => r.ok));
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(prefix);
      await fake.close();
    }
  });
});
