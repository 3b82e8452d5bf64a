// Upstream storms across a pool of five accounts: one answers only 429, one only 529, one only 500, one drops every
// connection, and the healthy one cuts some streams mid-way or ends them with an error event. Under concurrent load
// every client request gets a complete answer or a clean error in the Anthropic shape (never a hang, never a broken
// body), each account ends in the health state its failures call for, the next wave avoids the cooling accounts,
// and every request is recorded exactly once with the usage the client was shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';
import { sendMessage, sumUsage, type Outcome } from '../support/load.js';

const KEYS = ['sk-ant-api03-storm-429', 'sk-ant-api03-storm-529', 'sk-ant-api03-storm-500', 'sk-ant-api03-storm-drop', 'sk-ant-api03-storm-good'];
const EXPECTED_REASON: (string[] | null)[] = [['rate_limited', 'throttled'], ['overloaded'], ['server_error'], ['network'], null];

let fake: FakeUpstream;
let relay: TestRelay;
const ids: string[] = [];

before(async () => {
  fake = await createFakeUpstream();
  // Long cooldowns: on a loaded machine wave 1 can outlast the default 30–60 s ones, and wave 2 must still see every
  // failed account cooling.
  relay = await startRelay({
    env: { COOLDOWN_NETWORK_SEC: '900', COOLDOWN_SERVER_ERROR_SEC: '900', COOLDOWN_OVERLOADED_SEC: '900', COOLDOWN_THROTTLED_SEC: '900' },
  });
  for (const [i, k] of KEYS.entries()) ids.push((await relay.addAccount(fake.url, { name: `storm-${i}`, apiKey: k })).id);
});
after(async () => {
  await relay?.close();
  await fake?.close();
});

function checkClean(outcomes: Outcome[]) {
  for (const o of outcomes) {
    assert.notEqual(o.kind, 'stalled', 'no request hangs');
    assert.notEqual(o.kind, 'bad', `a broken answer: ${o.status} ${o.message ?? ''} ${o.body.slice(0, 300)}`);
    if (o.kind === 'error' && o.status !== 200) assert.ok([429, 500, 502, 503, 529].includes(o.status), `error status ${o.status}: ${o.body.slice(0, 200)}`);
  }
}

test('429/529/500/connection-reset storms and mid-stream cuts: clean answers, matching health, usage recorded once', async () => {
  fake.setDefault({ kind: 'error', status: 429, retryAfter: 900 }, { apiKey: KEYS[0] });
  fake.setDefault({ kind: 'error', status: 529 }, { apiKey: KEYS[1] });
  fake.setDefault({ kind: 'error', status: 500 }, { apiKey: KEYS[2] });
  fake.setDefault({ kind: 'drop' }, { apiKey: KEYS[3] });
  fake.setDefault({ kind: 'reply', usage: { input_tokens: 40, output_tokens: 12 } }, { apiKey: KEYS[4] });
  // The healthy account cuts six streams mid-way (connection reset) and ends four with an error event.
  fake.enqueue({ kind: 'reply', usage: { input_tokens: 40, output_tokens: 12 }, stream: { dropAfterEvents: 3 } }, { apiKey: KEYS[4], times: 6 });
  fake.enqueue({ kind: 'reply', usage: { input_tokens: 40, output_tokens: 12 }, stream: { errorAfterEvents: 4 } }, { apiKey: KEYS[4], times: 4 });

  const key = await relay.createKey({ name: 'storm' });
  // Wave 1: 40 at once (every account is tried while none is known bad yet).
  const wave1 = await Promise.all(
    Array.from({ length: 40 }, (_, i) => sendMessage(relay.url, { key: key.key, stream: true, text: `storm ${i}`, timeoutMs: 20_000 })),
  );
  checkClean(wave1);
  assert.ok(
    wave1.some((o) => o.kind === 'ok'),
    'some requests were served by the healthy account',
  );
  assert.ok(
    wave1.some((o) => o.kind === 'error' && o.status === 200),
    'some streams were cut or ended in an error event after they started',
  );

  // Health: each account's state says what it did (shared through the store).
  const list = await relay.admin('GET', '/accounts');
  for (const [i, id] of ids.entries()) {
    const a = list.json.items.find((x: { id: string }) => x.id === id);
    const codes = (a.health.reasons as { code: string }[]).map((r) => r.code);
    if (EXPECTED_REASON[i] === null) assert.equal(a.health.routable, true, `the healthy account stays routable: ${JSON.stringify(a.health)}`);
    else {
      assert.ok(
        codes.some((c) => EXPECTED_REASON[i]!.includes(c)),
        `account ${KEYS[i]}: reasons ${codes.join(',')}`,
      );
      assert.equal(a.health.routable, false);
    }
  }

  // Wave 2: the cooling accounts are skipped; everything goes to the healthy one.
  fake.clearRequests();
  const wave2 = await Promise.all(Array.from({ length: 10 }, (_, i) => sendMessage(relay.url, { key: key.key, stream: i % 2 === 0, text: `calm ${i}` })));
  checkClean(wave2);
  assert.ok(
    fake.requests.every((r) => r.headers['x-api-key'] === KEYS[4]),
    'only the healthy account was tried',
  );

  // Usage: every request recorded once; the tokens are what the clients were shown.
  const all = [...wave1, ...wave2];
  const rows = await relay.recorded(key.id, all.length);
  await new Promise((r) => setTimeout(r, 200));
  const final = await relay.relay.store.usage.recentRequests(1000, { keyId: key.id });
  assert.equal(final.length, all.length, 'one record per request');
  assert.equal(new Set(final.map((r) => r.requestId)).size, final.length);
  assert.ok(rows.length <= final.length);
  const shown = sumUsage(all);
  const recorded = final.reduce((t, r) => ({ input: t.input + r.usage.input, output: t.output + r.usage.output }), { input: 0, output: 0 });
  assert.equal(recorded.input, shown.input, 'input tokens as shown to the clients');
  assert.equal(recorded.output, shown.output, 'output tokens as shown to the clients');
  const partial = final.filter((r) => r.partial).length;
  assert.ok(partial >= 1, 'cut streams are recorded as partial');
  const report = await relay.admin('GET', `/usage?keyId=${key.id}&granularity=day`);
  assert.equal(report.json.totals.requests, all.length);
  assert.equal(report.json.totals.input, shown.input);
});
