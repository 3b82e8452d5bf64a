// The concurrency wait queue through the real relay and the fake upstream: parallel streams of a key with one slot
// wait their turn in order (on one instance and across two on Redis); without the queue they get 429; a wait past
// the maximum, a full queue and a client that goes away while waiting; the figures in the key's stats and /metrics.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { parsePrometheusText, sampleValue } from './support/prom-text.js';
import { redisSkipReason } from './support/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A streaming Messages request whose text names it (the fake upstream records the order it was served in). */
async function stream(url: string, key: string, name: string, signal?: AbortSignal) {
  const started = Date.now();
  const res = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    signal,
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: name }] }),
  });
  const text = await res.text();
  return { name, status: res.status, text, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started, ended: Date.now() };
}

const servedOrder = (fake: FakeUpstream) => fake.requests.filter((r) => r.path === '/v1/messages').map((r) => r.json.messages[0].content as string);

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(10);
  }
}

const QUEUE = { concurrencyLimit: 1, concurrentRequestQueueEnabled: true, concurrentRequestQueueMaxSize: 5, concurrentRequestQueueTimeoutMs: 10_000 };

describe('concurrency wait queue (SQLite)', () => {
  let fake: FakeUpstream;
  let t: TestRelay;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: { METRICS_PUBLIC: 'true' } });
    await t.addAccount(fake.url);
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    // Each stream lasts a few hundred ms, so the next ones have to wait for its slot.
    fake.setDefault({ kind: 'reply', stream: { delayMs: 40 } });
  });

  const waitingOn = (keyId: string) => t.relay.waiters.waitingNow().get(keyId) ?? 0;

  test('three parallel streams of a key with one slot all succeed, one after the other, in arrival order', async () => {
    const { id, key } = await t.createKey(QUEUE);
    const first = stream(t.url, key, 'one');
    await until('the first stream is upstream', () => fake.openResponses() === 1);
    const second = stream(t.url, key, 'two');
    await until('the second waits', () => waitingOn(id) === 1);
    const third = stream(t.url, key, 'three');
    await until('the third waits', () => waitingOn(id) === 2);
    let maxOpen = 0;
    const watch = setInterval(() => (maxOpen = Math.max(maxOpen, fake.openResponses())), 2);
    const results = await Promise.all([first, second, third]);
    clearInterval(watch);
    for (const r of results) {
      assert.equal(r.status, 200, `${r.name}: ${r.text.slice(0, 200)}`);
      assert.match(r.text, /event: message_stop/);
    }
    assert.deepEqual(servedOrder(fake), ['one', 'two', 'three']);
    assert.ok(results[0].ended <= results[1].ended && results[1].ended <= results[2].ended, 'they finished in order');
    assert.equal(maxOpen, 1, 'never two upstream at once');
    const view = await t.admin('GET', `/keys/${id}`);
    const conc = view.json.limits.find((l: { kind: string }) => l.kind === 'concurrency');
    assert.deepEqual(
      { ...conc.queue, waitMsTotal: conc.queue.waitMsTotal > 0 },
      { waiting: 0, entered: 2, served: 2, timeouts: 0, cancelled: 0, rejected: 0, waitMsTotal: true },
    );
    const me = await fetch(`${t.url}/stats/api/me`, { headers: { 'x-api-key': key } }).then((r) => r.json() as Promise<any>);
    assert.equal(me.limits.find((l: { kind: string }) => l.kind === 'concurrency').queue.served, 2, 'the key holder sees the queue figures too');
    const metrics = parsePrometheusText(await fetch(`${t.url}/metrics`).then((r) => r.text()));
    assert.equal(sampleValue(metrics, 'crs_queue_requests_total', { key_id: id, event: 'served' }), 2);
    assert.equal(sampleValue(metrics, 'crs_queue_wait_seconds_count', { key_id: id }), 2);
    assert.ok(metrics.has('crs_queue_waiting'));
  });

  test('without the queue the parallel requests get 429 at once', async () => {
    const { key } = await t.createKey({ concurrencyLimit: 1 });
    const first = stream(t.url, key, 'one');
    await until('the first stream is upstream', () => fake.openResponses() === 1);
    const [second, third] = await Promise.all([stream(t.url, key, 'two'), stream(t.url, key, 'three')]);
    assert.equal(second.status, 429);
    assert.equal(third.status, 429);
    assert.equal(second.retryAfter, '1');
    assert.equal((await first).status, 200);
  });

  test('the Settings default turns the queue on for keys that follow it, and a key may opt out', async () => {
    const patched = await t.admin('PATCH', '/settings/relay', { concurrentRequestQueueEnabled: true, concurrentRequestQueueTimeoutMs: 10_000 });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.values.concurrentRequestQueueEnabled, true);
    try {
      const follows = await t.createKey({ concurrencyLimit: 1 });
      const first = stream(t.url, follows.key, 'one');
      await until('upstream', () => fake.openResponses() === 1);
      const second = await stream(t.url, follows.key, 'two');
      assert.equal(second.status, 200, 'waited instead of a 429');
      assert.equal((await first).status, 200);
      const optOut = await t.createKey({ concurrencyLimit: 1, concurrentRequestQueueEnabled: false });
      const a = stream(t.url, optOut.key, 'three');
      await until('upstream', () => fake.openResponses() === 1);
      assert.equal((await stream(t.url, optOut.key, 'four')).status, 429);
      await a;
    } finally {
      await t.admin('PATCH', '/settings/relay', { concurrentRequestQueueEnabled: false });
    }
  });

  test('a wait past the maximum ends with the normal 429 and a retry-after', async () => {
    const { id, key } = await t.createKey({ ...QUEUE, concurrentRequestQueueTimeoutMs: 1000 });
    fake.enqueue({ kind: 'reply', headersDelayMs: 2500 });
    const first = stream(t.url, key, 'slow');
    await until('upstream', () => fake.openResponses() === 1 || fake.requests.length === 1);
    const r = await stream(t.url, key, 'waits');
    assert.equal(r.status, 429);
    assert.ok(r.ms >= 950 && r.ms < 2400, `answered after the maximum wait (${r.ms} ms)`);
    assert.ok(Number(r.retryAfter) >= 1, `retry-after ${r.retryAfter}`);
    assert.equal(JSON.parse(r.text).error.type, 'rate_limit_error');
    assert.match(JSON.parse(r.text).error.message, /Queue timeout/);
    assert.equal((await first).status, 200);
    const conc = (await t.admin('GET', `/keys/${id}`)).json.limits.find((l: { kind: string }) => l.kind === 'concurrency');
    assert.equal(conc.queue.timeouts, 1);
    assert.deepEqual(servedOrder(fake), ['slow'], 'the timed-out request never went upstream');
  });

  test('a full queue answers 429 at once', async () => {
    const { id, key } = await t.createKey({ ...QUEUE, concurrentRequestQueueMaxSize: 1 });
    fake.enqueue({ kind: 'reply', headersDelayMs: 800 });
    const first = stream(t.url, key, 'one');
    await until('upstream', () => fake.requests.length === 1);
    const second = stream(t.url, key, 'two');
    await until('the second waits', () => waitingOn(id) === 1);
    const third = await stream(t.url, key, 'three');
    assert.equal(third.status, 429);
    assert.ok(third.ms < 500, `refused at once (${third.ms} ms)`);
    assert.match(JSON.parse(third.text).error.message, /queue full/);
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
  });

  test('a client that goes away while waiting leaves the queue at once and its turn is not taken later', async () => {
    const { id, key } = await t.createKey(QUEUE);
    fake.enqueue({ kind: 'reply', headersDelayMs: 900 });
    const first = stream(t.url, key, 'one');
    await until('upstream', () => fake.requests.length === 1);
    const abort = new AbortController();
    const gone = stream(t.url, key, 'gone', abort.signal).catch((e: Error) => ({ status: 0, error: e.name }));
    await until('it waits', () => waitingOn(id) === 1);
    abort.abort();
    await until('it left this instance', () => waitingOn(id) === 0, 1000);
    await until('it left the store queue', async () => (await t.relay.store.limits.queueStats(id, Date.now())).waiting === 0, 1000);
    const third = stream(t.url, key, 'three');
    assert.equal((await gone).status, 0);
    assert.equal((await first).status, 200);
    assert.equal((await third).status, 200);
    assert.deepEqual(servedOrder(fake), ['one', 'three'], 'the request that went away never went upstream');
    const conc = (await t.admin('GET', `/keys/${id}`)).json.limits.find((l: { kind: string }) => l.kind === 'concurrency');
    assert.equal(conc.queue.cancelled, 1);
    assert.equal(conc.queue.waiting, 0);
  });
});

describe('concurrency wait queue across two instances (Redis)', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let pair: RelayPair;

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream();
    pair = await startRelayPair();
    await pair.a.addAccount(fake.url);
    await pair.b.relay.pool.reload();
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await fake.close();
  });

  test('the one slot is shared: requests on either instance wait their turn, first come first served', { skip: skip ?? false }, async () => {
    fake.setDefault({ kind: 'reply', stream: { delayMs: 40 } });
    const { id, key } = await pair.a.createKey(QUEUE);
    // A slot freed on one instance wakes the waiters of the other through a change event (the poll is a fallback).
    const heardOnB: string[] = [];
    const off = pair.b.relay.store.onChange((e) => e.entity === 'queue' && e.id && heardOnB.push(e.id));
    const waiting = () => (pair.a.relay.waiters.waitingNow().get(id) ?? 0) + (pair.b.relay.waiters.waitingNow().get(id) ?? 0);
    const first = stream(pair.a.url, key, 'one');
    await until('upstream', () => fake.openResponses() === 1);
    const second = stream(pair.b.url, key, 'two');
    await until('b waits', () => waiting() === 1);
    const third = stream(pair.a.url, key, 'three');
    await until('a waits', () => waiting() === 2);
    const fourth = stream(pair.b.url, key, 'four');
    await until('b waits again', () => waiting() === 3);
    let maxOpen = 0;
    const watch = setInterval(() => (maxOpen = Math.max(maxOpen, fake.openResponses())), 2);
    const results = await Promise.all([first, second, third, fourth]);
    clearInterval(watch);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.deepEqual(servedOrder(fake), ['one', 'two', 'three', 'four'], 'FIFO across instances');
    assert.equal(maxOpen, 1, 'one slot for both instances');
    off();
    assert.ok(heardOnB.includes(id), 'instance b heard that a slot of the key came free on instance a');
    const stats = await pair.b.relay.store.limits.queueStats(id, Date.now());
    assert.equal(stats.served, 3);
    assert.equal(stats.waiting, 0);
  });
});
