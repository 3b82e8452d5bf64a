// Settings › Relay behaviour: sticky-session TTL, failover attempts and the cooldown per failure class are stored
// settings whose defaults come from the environment; a change through the admin API applies to the next request
// without a restart, goes back to the environment's value with null, and reaches every process on one Redis.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, startRelayPair, type TestRelay } from './support/harness.js';
import { redisSkipReason } from './support/redis.js';

const KEY_A = 'sk-ant-api03-relay-settings-A-aaaa';
const KEY_B = 'sk-ant-api03-relay-settings-B-bbbb';
const HOUR = 3_600_000;
let conv = 0;

const usedKeys = (fake: FakeUpstream) => fake.requests.filter((r) => r.path === '/v1/messages').map((r) => r.headers['x-api-key']);

describe('relay behaviour settings', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key = '';
  let keyId = '';
  const ids: Record<string, string> = {};

  /** One request of a new conversation; returns the HTTP status. */
  const send = async () => {
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: `settings conversation ${++conv}` }] }),
    });
    await res.text();
    return res.status;
  };
  /** Seconds until account A is back, per the admin API. */
  const cooldownLeftSec = async () => {
    const h = (await t.admin('GET', `/accounts/${ids.A}`)).json.health;
    return (Date.parse(h.availableAt) - Date.now()) / 1000;
  };

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [KEY_A, KEY_B] });
    t = await startRelay({ env: { FAILOVER_MAX_ATTEMPTS: '2', COOLDOWN_SERVER_ERROR_SEC: '120', STICKY_SESSION_TTL_HOURS: '2' } });
    ids.A = (await t.addAccount(fake.url, { name: 'A', apiKey: KEY_A, priority: 1 })).id;
    ids.B = (await t.addAccount(fake.url, { name: 'B', apiKey: KEY_B, priority: 2 })).id;
    ({ key, id: keyId } = await t.createKey());
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(async () => {
    fake.reset();
    for (const id of Object.values(ids)) await t.admin('POST', `/accounts/${id}/reset-health`);
  });

  test('the defaults are the environment’s; bad values are refused in the admin error shape', async () => {
    const view = (await t.admin('GET', '/settings/relay')).json;
    assert.equal(view.updatedAt, null);
    for (const v of [view.defaults, view.values]) {
      assert.equal(v.failoverMaxAttempts, 2);
      assert.equal(v.cooldownServerErrorSec, 120);
      assert.equal(v.stickySessionTtlHours, 2);
      assert.equal(v.cooldownOverloadedSec, 60, 'unset variables keep the built-in default');
      assert.equal(v.concurrentRequestQueueMaxSize, 3, 'the wait queue fields are still there');
    }
    for (const body of [
      { failoverMaxAttempts: 0 },
      { failoverMaxAttempts: 2.5 },
      { cooldownOverloadedSec: 'soon' },
      { stickySessionTtlHours: 0 },
      { cooldownTeapotSec: 5 },
    ]) {
      const r = await t.admin('PATCH', '/settings/relay', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'VALIDATION_FAILED');
      assert.ok(r.json.error.details.length > 0);
    }
    assert.equal((await t.admin('GET', '/settings/relay')).json.updatedAt, null, 'nothing was stored');
  });

  test('failover attempts: a change applies to the next request', async () => {
    assert.equal((await t.admin('PATCH', '/settings/relay', { failoverMaxAttempts: 1 })).status, 200);
    fake.enqueue({ kind: 'error', status: 529 }, { apiKey: KEY_A });
    assert.equal(await send(), 529, 'one attempt: the client gets A’s error');
    assert.deepEqual(usedKeys(fake), [KEY_A]);
    await t.admin('POST', `/accounts/${ids.A}/reset-health`);
    await t.admin('PATCH', '/settings/relay', { failoverMaxAttempts: 2 });
    fake.reset();
    fake.enqueue({ kind: 'error', status: 529 }, { apiKey: KEY_A });
    assert.equal(await send(), 200, 'two attempts: B answers');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
  });

  // A 500 carries no retry-after (a 529 of the fake does: the upstream's own time wins over any setting).
  test('cooldown per class: a changed 5xx cooldown applies to the next failure; null goes back to the environment’s', async () => {
    await t.admin('PATCH', '/settings/relay', { cooldownServerErrorSec: 7 });
    fake.enqueue({ kind: 'error', status: 500 }, { apiKey: KEY_A });
    assert.equal(await send(), 200);
    let left = await cooldownLeftSec();
    assert.ok(left > 4 && left <= 7.5, `about 7 s, saw ${left}`);

    await t.admin('POST', `/accounts/${ids.A}/reset-health`);
    await t.admin('PATCH', '/settings/relay', { cooldownServerErrorSec: 900 });
    fake.enqueue({ kind: 'error', status: 500 }, { apiKey: KEY_A });
    assert.equal(await send(), 200);
    left = await cooldownLeftSec();
    assert.ok(left > 890 && left <= 900.5, `about 900 s, saw ${left}`);

    await t.admin('POST', `/accounts/${ids.A}/reset-health`);
    const reset = await t.admin('PATCH', '/settings/relay', { cooldownServerErrorSec: null });
    assert.equal(reset.json.values.cooldownServerErrorSec, 120, 'back to COOLDOWN_SERVER_ERROR_SEC');
    fake.enqueue({ kind: 'error', status: 500 }, { apiKey: KEY_A });
    assert.equal(await send(), 200);
    left = await cooldownLeftSec();
    assert.ok(left > 110 && left <= 120.5, `about 120 s, saw ${left}`);
  });

  test('sticky-session TTL: a new binding takes the changed TTL', async () => {
    const ttlOfNewest = async () => {
      const before = new Set((await t.relay.store.kv.scan(`sticky:${keyId}:`)).map((e) => e.key));
      assert.equal(await send(), 200);
      const added = (await t.relay.store.kv.scan(`sticky:${keyId}:`)).filter((e) => !before.has(e.key));
      assert.equal(added.length, 1, 'the request bound its conversation');
      return (await t.relay.store.kv.ttl(added[0].key))!;
    };
    let ttl = await ttlOfNewest();
    assert.ok(ttl > 2 * HOUR - 60_000 && ttl <= 2 * HOUR, `STICKY_SESSION_TTL_HOURS=2, saw ${ttl}`);
    await t.admin('PATCH', '/settings/relay', { stickySessionTtlHours: 0.25 });
    ttl = await ttlOfNewest();
    assert.ok(ttl > 15 * 60_000 - 60_000 && ttl <= 15 * 60_000, `a quarter hour after the change, saw ${ttl}`);
  });
});

describe('relay behaviour settings across processes on one Redis', async () => {
  const reason = await redisSkipReason();
  test('a change on one process is in force on the other', { skip: reason ?? false }, async () => {
    const pair = await startRelayPair({ FAILOVER_MAX_ATTEMPTS: '3' });
    try {
      assert.equal(pair.b.relay.settings.get('relay').failoverMaxAttempts, 3);
      const r = await pair.a.admin('PATCH', '/settings/relay', { failoverMaxAttempts: 1, cooldownServerErrorSec: 42, stickySessionTtlHours: 0.5 });
      assert.equal(r.status, 200);
      const deadline = Date.now() + 3000;
      while (pair.b.relay.settings.get('relay').failoverMaxAttempts !== 1 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      const b = (await pair.b.admin('GET', '/settings/relay')).json;
      assert.deepEqual([b.values.failoverMaxAttempts, b.values.cooldownServerErrorSec, b.values.stickySessionTtlHours], [1, 42, 0.5]);
      assert.equal(b.defaults.failoverMaxAttempts, 3, 'the default stays the environment’s');
      assert.equal(b.updatedBy, 'admin');
    } finally {
      await pair.close();
    }
  });
});
