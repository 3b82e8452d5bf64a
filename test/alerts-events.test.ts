// Alerts raised by what happens in the relay, end to end: an account the upstream disables (delivered after the
// receiver's 500, retried with backoff), its recovery and the de-duplication of a flapping account; a key crossing
// 80 % and then 100 % of its daily cost cap; the store going away and coming back (a separate redis-server on a
// free port); two instances on one Redis sending one alert for one transition.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { closedPort, startRelay, startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { redisSkipReason } from './support/redis.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const MSG = { model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, key: string) {
  const res = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(MSG),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const events = (hook: WebhookReceiver, type: string) => hook.received.filter((h) => h.json?.event === type);

describe('alerts from the relay (SQLite)', () => {
  let fake: FakeUpstream;
  let hook: WebhookReceiver;
  let t: TestRelay;
  let accountId: string;

  before(async () => {
    fake = await createFakeUpstream();
    hook = await startWebhookReceiver();
    t = await startRelay();
    accountId = (await t.addAccount(fake.url, { name: 'team-console-1' })).id;
    await t.admin('PATCH', '/settings/notifications', { language: 'en' });
    const r = await t.admin('POST', '/notifications/channels', { name: 'ops', type: 'webhook', url: `${hook.url}/alerts` });
    assert.equal(r.status, 201);
  });
  after(async () => {
    await t.close();
    await hook.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    hook.clear();
  });

  test('an account the upstream disables raises "account unusable" (retried after a 500), and its reset "recovered"', async () => {
    const { key } = await t.createKey();
    fake.enqueue({ kind: 'error', status: 403, message: 'This organization has been disabled.' });
    hook.reply({ status: 500, body: { error: 'busy' } });
    const r = await post(t.url, key);
    assert.equal(r.status, 403);
    const started = Date.now();
    await hook.waitFor((h) => h.json?.event === 'account_unusable' && events(hook, 'account_unusable').length === 2);
    const [first, second] = events(hook, 'account_unusable');
    assert.equal(first.json.id, second.json.id, 'the same event, sent again');
    assert.ok(second.at - first.at >= 900, `backoff before the retry (${second.at - first.at} ms)`);
    assert.ok(Date.now() - started < 6000);
    assert.equal(second.json.severity, 'critical');
    assert.deepEqual(
      { ...second.json.data, reason: undefined, until: undefined },
      { accountId, accountName: 'team-console-1', accountKind: 'anthropic-api', state: 'blocked', reason: undefined, until: undefined },
    );
    assert.match(second.json.data.reason, /organization has been disabled/);
    await t.relay.alerts.service.drain();
    const history = (await t.admin('GET', '/notifications/history?limit=5')).json.items;
    const entry = history.find((e: any) => e.event.id === first.json.id);
    assert.deepEqual(
      entry.deliveries.map((d: any) => ({ status: d.status, attempts: d.attempts, httpStatus: d.httpStatus })),
      [{ status: 'sent', attempts: 2, httpStatus: 200 }],
    );

    assert.equal((await t.admin('POST', `/accounts/${accountId}/reset-health`)).status, 200);
    const rec = await hook.waitFor((h) => h.json?.event === 'account_recovered');
    assert.equal(rec.json.data.state, 'blocked');
    assert.equal(rec.json.data.accountId, accountId);

    // Flapping: blocked again within the de-duplication window sends nothing new.
    fake.enqueue({ kind: 'error', status: 403, message: 'This organization has been disabled.' });
    assert.equal((await post(t.url, key)).status, 403);
    await sleep(300);
    await t.relay.alerts.service.drain();
    assert.equal(events(hook, 'account_unusable').length, 2, 'no second "unusable" alert');
    await t.admin('POST', `/accounts/${accountId}/reset-health`);
  });

  test('a key crossing 80 % of its daily cost cap raises "near limit", crossing 100 % "limit reached", each once', async () => {
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 200_000, output_tokens: 1000 } });
    const probe = await t.createKey();
    assert.equal((await post(t.url, probe.key)).status, 200);
    const cost = (await t.recorded(probe.id))[0].costNanos;
    assert.ok(cost > 0);
    // One request uses 90 % of the cap.
    const { id, key } = await t.createKey({ name: 'team-key', dailyCostLimit: cost / 0.9 / 1e9 });
    assert.equal((await post(t.url, key)).status, 200);
    const near = await hook.waitFor((h) => h.json?.event === 'key_near_limit');
    assert.equal(near.json.severity, 'warning');
    assert.equal(near.json.data.keyId, id);
    assert.equal(near.json.data.keyName, 'team-key');
    assert.equal(near.json.data.limit, 'cost_daily');
    assert.ok(near.json.data.ratio >= 0.89 && near.json.data.ratio < 0.91, String(near.json.data.ratio));
    assert.match(near.json.text, /daily cost limit: \$[\d.]+ of \$[\d.]+ used \(\d\d%\)/);
    assert.equal((await post(t.url, key)).status, 200);
    const hit = await hook.waitFor((h) => h.json?.event === 'key_limit_reached');
    assert.ok(hit.json.data.ratio >= 1);
    assert.equal((await post(t.url, key)).status, 402, 'the cap refuses');
    await sleep(1500);
    await t.relay.alerts.service.drain();
    assert.equal(events(hook, 'key_near_limit').length, 1);
    assert.equal(events(hook, 'key_limit_reached').length, 1);
  });

  test('an event no channel takes is still recorded in the history, with a note', async () => {
    const list = (await t.admin('GET', '/notifications/channels')).json.items;
    await t.admin('PATCH', `/notifications/channels/${list[0].id}`, { events: ['store_unreachable'] });
    try {
      t.relay.alerts.service.emit({ type: 'store_recovered', store: 'sqlite', downForMs: 1000 }, { key: `note-${Date.now()}` });
      await t.relay.alerts.service.drain();
      const top = (await t.admin('GET', '/notifications/history?limit=1')).json.items[0];
      assert.equal(top.event.type, 'store_recovered');
      assert.equal(top.note, 'no channel takes this event');
      assert.equal(hook.received.length, 0);
    } finally {
      await t.admin('PATCH', `/notifications/channels/${list[0].id}`, { events: [] });
    }
  });
});

describe('alerts when the store goes away (a separate redis-server)', async () => {
  const noRedis =
    existsSync('/usr/bin/redis-server') || process.env.PATH?.split(':').some((d) => existsSync(join(d, 'redis-server')))
      ? null
      : 'redis-server is not installed';
  let hook: WebhookReceiver;
  let t: TestRelay;
  let port: number;
  let dir: string;
  let redis: ChildProcess | null = null;

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1', '--appendonly', 'no'], { stdio: 'ignore' });
    const { Redis } = await import('ioredis');
    for (let i = 0; i < 100; i++) {
      const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      try {
        await c.connect();
        if ((await c.ping()) === 'PONG') return;
      } catch {
        await sleep(50);
      } finally {
        c.disconnect();
      }
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async () => {
    const p = redis;
    redis = null;
    if (!p || p.exitCode !== null) return;
    // SIGTERM: redis saves (a save point is configured) and exits, so the restart finds the data again.
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  };

  before(async () => {
    if (noRedis) return;
    hook = await startWebhookReceiver();
    port = await closedPort();
    dir = mkdtempSync(join(tmpdir(), 'crs-redis-'));
    await startRedis();
    t = await startRelay({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    await t.admin('PATCH', '/settings/notifications', { storeCheckSeconds: 1, language: 'en' });
    assert.equal(
      (
        await t.admin('POST', '/notifications/channels', {
          name: 'ops',
          type: 'webhook',
          url: `${hook.url}/alerts`,
          events: ['store_unreachable', 'store_recovered'],
        })
      ).status,
      201,
    );
  });
  after(async () => {
    if (noRedis) return;
    await t.close();
    await stopRedis();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('"store unreachable" when Redis stops, "store recovered" when it is back; both in the history', { skip: noRedis ?? false }, async () => {
    await stopRedis();
    const down = await hook.waitFor((h) => h.json?.event === 'store_unreachable', 10_000);
    assert.equal(down.json.severity, 'critical');
    assert.equal(down.json.data.store, 'redis');
    assert.equal(down.json.subject.kind, 'store');
    await startRedis();
    const up = await hook.waitFor((h) => h.json?.event === 'store_recovered', 15_000);
    assert.ok(up.json.data.downForMs >= 1000);
    assert.ok(up.at > down.at);
    await t.relay.alerts.service.drain();
    let types: string[] = [];
    for (let i = 0; i < 50 && !(types.includes('store_unreachable') && types.includes('store_recovered')); i++) {
      await sleep(100);
      types = (await t.admin('GET', '/notifications/history?limit=10')).json.items.map((e: any) => e.event.type);
    }
    assert.ok(types.includes('store_unreachable'), 'the event raised while the store was down was written when it came back');
    assert.ok(types.includes('store_recovered'));
    assert.equal(hook.received.filter((h) => h.json?.event === 'store_unreachable').length, 1);
  });
});

describe('alerts across two instances (Redis)', async () => {
  const skip = await redisSkipReason();
  let hook: WebhookReceiver;
  let fake: FakeUpstream;
  let pair: RelayPair;

  before(async () => {
    if (skip) return;
    hook = await startWebhookReceiver();
    fake = await createFakeUpstream();
    pair = await startRelayPair();
    assert.equal((await pair.a.admin('POST', '/notifications/channels', { name: 'ops', type: 'webhook', url: `${hook.url}/alerts` })).status, 201);
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await hook.close();
    await fake.close();
  });

  test('one transition seen by both instances is sent once', { skip: skip ?? false }, async () => {
    const { id } = await pair.a.addAccount(fake.url, { name: 'shared' });
    await pair.b.relay.pool.reload();
    const blocked = { kind: 'blocked' as const, reason: 'This organization has been disabled.' };
    await Promise.all([pair.a.relay.health.report(id, blocked, { httpStatus: 403 }), pair.b.relay.health.report(id, blocked, { httpStatus: 403 })]);
    await hook.waitFor((h) => h.json?.event === 'account_unusable');
    await sleep(500);
    await Promise.all([pair.a.relay.alerts.service.drain(), pair.b.relay.alerts.service.drain()]);
    assert.equal(events(hook, 'account_unusable').length, 1);
    await Promise.all([pair.a.relay.health.reset(id), pair.b.relay.health.reset(id)]);
    await hook.waitFor((h) => h.json?.event === 'account_recovered');
    await sleep(500);
    assert.equal(events(hook, 'account_recovered').length, 1);
  });
});
