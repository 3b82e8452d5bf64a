// The account pool under failure: in-request failover, cooldowns from the upstream's own reset times, sticky
// conversations, and health shared between relay instances.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { redisSkipReason } from './support/redis.js';

const KEY_A = 'sk-ant-api03-account-A-aaaa';
const KEY_B = 'sk-ant-api03-account-B-bbbb';
const KEY_C = 'sk-ant-api03-account-C-cccc';
// Each test's conversation is its own (a shared first message would make them one sticky conversation).
let conv = 0;
const BASE = { model: 'claude-sonnet-5', max_tokens: 16 };
let MSG = { ...BASE, messages: [{ role: 'user' as const, content: 'hello 0' }] };

/** Which account key each upstream request used, in order. */
const usedKeys = (fake: FakeUpstream) => fake.requests.filter((r) => r.path === '/v1/messages').map((r) => r.headers['x-api-key']);
const sessionMeta = (session: string) => ({ user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: session }) });

describe('failover and health', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let sdk: Anthropic;
  const ids: Record<string, string> = {};

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [KEY_A, KEY_B, KEY_C] });
    t = await startRelay({ env: { FAILOVER_MAX_ATTEMPTS: '3' } });
    // A is preferred (priority 1), then B, then C.
    ids.A = (await t.addAccount(fake.url, { name: 'A', apiKey: KEY_A, priority: 1 })).id;
    ids.B = (await t.addAccount(fake.url, { name: 'B', apiKey: KEY_B, priority: 2 })).id;
    ids.C = (await t.addAccount(fake.url, { name: 'C', apiKey: KEY_C, priority: 3 })).id;
    sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: (await t.createKey()).key, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    MSG = { ...BASE, messages: [{ role: 'user' as const, content: `hello ${++conv}` }] };
    for (const id of Object.values(ids)) await t.admin('POST', `/accounts/${id}/reset-health`);
  });

  test('429 with a reset on A: the request fails over to B; A is skipped until the reset, with the reason shown', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    fake.enqueue({ kind: 'error', status: 429, unified: 'rejected_5h', headers: { 'anthropic-ratelimit-unified-reset': String(reset) } }, { apiKey: KEY_A });
    const msg = await sdk.messages.create(MSG);
    assert.equal(msg.type, 'message', 'the client sees one clean answer');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
    // Later requests go straight to B: no call to A until its reset.
    await sdk.messages.create(MSG);
    await sdk.messages.create(MSG);
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B, KEY_B, KEY_B]);
    const a = (await t.admin('GET', `/accounts/${ids.A}`)).json;
    assert.equal(a.health.state, 'rate_limited');
    assert.equal(a.health.routable, false);
    assert.equal(a.health.notRoutableBecause, 'unhealthy');
    assert.equal(a.health.availableAt, new Date(reset * 1000).toISOString());
    assert.equal(a.health.reasons[0].httpStatus, 429);
    assert.match(a.health.reasons[0].message, /five_hour/);
    const b = (await t.admin('GET', `/accounts/${ids.B}`)).json;
    assert.equal(b.health.state, 'healthy');
    assert.equal(b.health.routable, true);
  });

  test('529 and 5xx fail over; the record names the account that answered', async () => {
    fake.enqueue({ kind: 'error', status: 529 }, { apiKey: KEY_A });
    fake.enqueue({ kind: 'error', status: 503 }, { apiKey: KEY_B });
    const stream = sdk.messages.stream({ ...MSG, metadata: sessionMeta('s-529') });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'end_turn');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B, KEY_C]);
    const states = await Promise.all(['A', 'B', 'C'].map(async (n) => (await t.admin('GET', `/accounts/${ids[n]}`)).json.health.state));
    assert.deepEqual(states, ['overloaded', 'server_error', 'healthy']);
  });

  test('a large prompt (sent upstream as a one-shot body) reaches each account it fails over to byte for byte', async () => {
    fake.enqueue({ kind: 'error', status: 529 }, { apiKey: KEY_A });
    const prompt = 'a long conversation ✓ 多字节 '.repeat(4000); // ~130 KB, past LET_GO_MIN
    const final = await sdk.messages.stream({ ...BASE, messages: [{ role: 'user', content: prompt }], metadata: sessionMeta('s-large') }).finalMessage();
    assert.equal(final.stop_reason, 'end_turn');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
    const [a, b] = fake.requests.filter((r) => r.path === '/v1/messages');
    assert.ok(a.body.length > 64 * 1024);
    assert.ok(b.body.equals(a.body), 'the second attempt sends the same bytes');
    for (const r of [a, b]) {
      assert.equal(r.headers['content-length'], String(r.body.length), 'sent with its length, not chunked');
      assert.equal(r.headers['transfer-encoding'], undefined);
    }
    assert.equal((b.json.messages as { content: string }[])[0].content, prompt);
  });

  test('a bare 403 fails over and only cools the account; only the documented "disabled" answer blocks it (P8 item 5)', async () => {
    fake.enqueue({ kind: 'error', status: 403, message: 'Permission denied' }, { apiKey: KEY_A });
    fake.enqueue({ kind: 'error', status: 400, message: 'This organization has been disabled.' }, { apiKey: KEY_B });
    const final = await sdk.messages.create({ ...MSG, metadata: sessionMeta('s-403') });
    assert.equal(final.stop_reason, 'end_turn');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B, KEY_C]);
    const a = (await t.admin('GET', `/accounts/${ids.A}`)).json.health;
    assert.equal(a.state, 'forbidden', 'a bare 403 no longer blocks the account until an operator acts (a key holder can provoke one)');
    const until = Date.parse(a.reasons[0].until);
    assert.ok(until > Date.now() && until <= Date.now() + 61_000, `a short cooldown, saw until ${a.reasons[0].until}`);
    const b = (await t.admin('GET', `/accounts/${ids.B}`)).json.health;
    assert.equal(b.state, 'blocked', "the upstream's account-level signal still blocks");
    assert.equal(b.reasons[0].until, null);
  });

  test('a 200 whose stream starts with an error event still fails over (nothing reached the client)', async () => {
    fake.enqueue({ kind: 'reply', stream: { errorAfterEvents: 0 } }, { apiKey: KEY_A });
    const final = await sdk.messages.stream(MSG).finalMessage();
    assert.equal(final.type, 'message');
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
  });

  test('a connection reset fails over', async () => {
    fake.enqueue({ kind: 'drop' }, { apiKey: KEY_A });
    await sdk.messages.create(MSG);
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
    assert.equal((await t.admin('GET', `/accounts/${ids.A}`)).json.health.state, 'network');
  });

  test('a bad request (400) goes straight back: no failover, no cooldown', async () => {
    fake.enqueue({ kind: 'error', status: 400, message: 'max_tokens: too large' }, { apiKey: KEY_A });
    await assert.rejects(sdk.messages.create(MSG), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError);
      assert.match(e.message, /max_tokens: too large/);
      return true;
    });
    assert.deepEqual(usedKeys(fake), [KEY_A]);
    assert.equal((await t.admin('GET', `/accounts/${ids.A}`)).json.health.state, 'healthy');
  });

  test('a failure after bytes reached the client ends the stream with event: error and is not retried', async () => {
    fake.enqueue({ kind: 'reply', stream: { dropAfterEvents: 3 } }, { apiKey: KEY_A });
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': (sdk as unknown as { apiKey: string }).apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...MSG, stream: true }),
    });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(text, /event: message_start/);
    assert.match(text.trimEnd().split('\n\n').at(-1)!, /^event: error\n/);
    assert.deepEqual(usedKeys(fake), [KEY_A], 'no second account was tried');
  });

  test('attempts are bounded by FAILOVER_MAX_ATTEMPTS; the client gets the last upstream error as it was', async () => {
    for (const k of [KEY_A, KEY_B, KEY_C]) fake.enqueue({ kind: 'error', status: 500, message: `boom ${k.slice(-4)}` }, { apiKey: k });
    await assert.rejects(sdk.messages.create(MSG), (e: unknown) => {
      assert.ok(e instanceof Anthropic.InternalServerError);
      assert.match(e.message, /boom cccc/);
      return true;
    });
    assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B, KEY_C]);
  });

  test('when every account cools down, the relay answers itself with retry-after', async () => {
    const soon = Math.floor(Date.now() / 1000) + 120;
    for (const k of [KEY_A, KEY_B, KEY_C])
      fake.enqueue({ kind: 'error', status: 429, unified: 'rejected_5h', headers: { 'anthropic-ratelimit-unified-reset': String(soon) } }, { apiKey: k });
    await assert.rejects(sdk.messages.create(MSG), Anthropic.RateLimitError);
    const calls = fake.requests.length;
    await assert.rejects(sdk.messages.create(MSG), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      const ra = Number(e.headers?.get('retry-after'));
      assert.ok(ra > 100 && ra <= 120, `retry-after ${ra}`);
      return true;
    });
    assert.equal(fake.requests.length, calls, 'no upstream call');
    // 5xx cooling gives 503 instead
    for (const id of Object.values(ids)) await t.admin('POST', `/accounts/${id}/reset-health`);
    for (const k of [KEY_A, KEY_B, KEY_C]) fake.enqueue({ kind: 'error', status: 500 }, { apiKey: k });
    await assert.rejects(sdk.messages.create(MSG), Anthropic.InternalServerError);
    await assert.rejects(sdk.messages.create(MSG), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError);
      assert.equal(e.status, 503);
      assert.ok(Number(e.headers?.get('retry-after')) > 0);
      return true;
    });
  });

  test('a conversation stays on one account for 20 turns, and moves only when that account becomes unhealthy', async () => {
    // Different conversations spread by least-recently-used; each then sticks.
    const first = new Map<string, string>();
    for (const s of ['conv-1', 'conv-2']) {
      for (let turn = 0; turn < 10; turn++) {
        await sdk.messages.create({ ...MSG, metadata: sessionMeta(s) });
        const used = usedKeys(fake).at(-1)!;
        if (!first.has(s)) first.set(s, used);
        assert.equal(used, first.get(s), `${s} turn ${turn} stays on its account`);
      }
    }
    // 20 turns of conv-1 interleaved with other traffic stay put
    for (let turn = 0; turn < 20; turn++) {
      await sdk.messages.create({ ...MSG, metadata: sessionMeta('conv-1') });
      assert.equal(usedKeys(fake).at(-1), first.get('conv-1'));
      await sdk.messages.create({ ...MSG, metadata: sessionMeta(`noise-${turn}`) });
    }
    // Its account fails: this turn fails over, and the conversation then stays on the new account.
    const old = first.get('conv-1')!;
    fake.enqueue({ kind: 'error', status: 529 }, { apiKey: old });
    await sdk.messages.create({ ...MSG, metadata: sessionMeta('conv-1') });
    const moved = usedKeys(fake).at(-1)!;
    assert.notEqual(moved, old);
    for (let turn = 0; turn < 5; turn++) {
      await sdk.messages.create({ ...MSG, metadata: sessionMeta('conv-1') });
      assert.equal(usedKeys(fake).at(-1), moved);
    }
  });

  test('an account at its concurrency cap is passed over for the next one (no cooldown)', async () => {
    await t.admin('PATCH', `/accounts/${ids.A}`, { maxConcurrency: 1 });
    await t.relay.pool.reload();
    try {
      fake.enqueue({ kind: 'reply', stream: { delayMs: 40 } }, { apiKey: KEY_A });
      const slow = sdk.messages.stream({ ...MSG, messages: [{ role: 'user', content: 'slow one' }] }).finalMessage();
      await fake.waitForRequests(1);
      await sdk.messages.create({ ...MSG, messages: [{ role: 'user', content: 'meanwhile' }] });
      await slow;
      assert.deepEqual(usedKeys(fake), [KEY_A, KEY_B]);
      assert.equal((await t.admin('GET', `/accounts/${ids.A}`)).json.health.state, 'healthy');
      await sdk.messages.create({ ...MSG, messages: [{ role: 'user', content: 'after' }] });
      assert.equal(usedKeys(fake).at(-1), KEY_A, 'the slot is free again');
    } finally {
      await t.admin('PATCH', `/accounts/${ids.A}`, { maxConcurrency: 0 });
      await t.relay.pool.reload();
    }
  });

  test('a paused account is not routable and says why; resuming brings it back', async () => {
    await t.admin('PATCH', `/accounts/${ids.A}`, { schedulable: false });
    await t.relay.pool.reload();
    const a = (await t.admin('GET', `/accounts/${ids.A}`)).json;
    assert.equal(a.health.routable, false);
    assert.equal(a.health.notRoutableBecause, 'paused');
    await sdk.messages.create(MSG);
    assert.deepEqual(usedKeys(fake), [KEY_B]);
    await t.admin('PATCH', `/accounts/${ids.A}`, { schedulable: true });
    await t.relay.pool.reload();
  });

  test('model support and mapping: only accounts that serve the model; the mapped name goes upstream', async () => {
    await t.admin('PATCH', `/accounts/${ids.A}`, { supportedModels: ['claude-opus-4-8'] });
    await t.admin('PATCH', `/accounts/${ids.B}`, { modelMapping: { 'claude-sonnet-5': 'vendor-sonnet-latest' } });
    await t.relay.pool.reload();
    try {
      await sdk.messages.create(MSG);
      assert.deepEqual(usedKeys(fake), [KEY_B], 'A does not serve sonnet');
      assert.equal(fake.requests[0].json.model, 'vendor-sonnet-latest');
      assert.deepEqual(fake.requests[0].json.messages, MSG.messages, 'the rest of the body is unchanged');
      await sdk.messages.create({ ...MSG, model: 'claude-opus-4-8' });
      assert.equal(usedKeys(fake).at(-1), KEY_A);
    } finally {
      await t.admin('PATCH', `/accounts/${ids.A}`, { supportedModels: [] });
      await t.admin('PATCH', `/accounts/${ids.B}`, { modelMapping: {} });
      await t.relay.pool.reload();
    }
  });
});

describe('two relay instances on one Redis', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let pair: RelayPair;
  let a: TestRelay;
  let b: TestRelay;
  const accts: Record<string, string> = {};

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream({ apiKeys: [KEY_A, KEY_B] });
    pair = await startRelayPair();
    ({ a, b } = pair);
    accts.A = (await a.addAccount(fake.url, { name: 'A', apiKey: KEY_A, priority: 1 })).id;
    accts.B = (await a.addAccount(fake.url, { name: 'B', apiKey: KEY_B, priority: 1 })).id;
    await b.relay.pool.reload();
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await fake.close();
  });

  test('sticky bindings and health are shared; an admin reset clears health everywhere', { skip: skip ?? false }, async () => {
    const key = (await a.createKey()).key;
    const viaA = new Anthropic({ baseURL: `${a.url}/api`, apiKey: key, maxRetries: 0 });
    const viaB = new Anthropic({ baseURL: `${b.url}/api`, apiKey: key, maxRetries: 0 });
    await viaA.messages.create({ ...MSG, metadata: sessionMeta('shared-conv') });
    const bound = usedKeys(fake).at(-1)!;
    await new Promise((r) => setTimeout(r, 50)); // the binding write is not on the request path
    for (let i = 0; i < 5; i++) {
      await viaB.messages.create({ ...MSG, metadata: sessionMeta('shared-conv') });
      assert.equal(usedKeys(fake).at(-1), bound, 'B follows the binding A made');
    }
    // A learns that the bound account is rate-limited; B skips it without trying it.
    const other = bound === KEY_A ? KEY_B : KEY_A;
    const boundId = bound === KEY_A ? accts.A : accts.B;
    fake.enqueue(
      { kind: 'error', status: 429, unified: 'rejected_7d', headers: { 'anthropic-ratelimit-unified-reset': String(Math.floor(Date.now() / 1000) + 600) } },
      { apiKey: bound },
    );
    await viaA.messages.create({ ...MSG, metadata: sessionMeta('shared-conv') });
    const deadline = Date.now() + 2000;
    while (b.relay.health.get(boundId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(b.relay.health.get(boundId)[0]?.code, 'rate_limited', 'B heard about the cooldown');
    const before = fake.requests.length;
    await viaB.messages.create({ ...MSG, metadata: sessionMeta('shared-conv') });
    assert.equal(fake.requests.length, before + 1);
    assert.equal(usedKeys(fake).at(-1), other);
    // An operator reset on B clears it on A too.
    await b.admin('POST', `/accounts/${boundId}/reset-health`);
    const deadline2 = Date.now() + 2000;
    while (a.relay.health.get(boundId).length > 0 && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 10));
    assert.equal(a.relay.health.get(boundId).length, 0);
    assert.equal((await a.admin('GET', `/accounts/${boundId}`)).json.health.routable, true);
  });
});

describe('the active probe and account groups', () => {
  let fake: FakeUpstream;
  let t: TestRelay;

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [KEY_A, KEY_B] });
    t = await startRelay();
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  test('a good answer to the probe clears a server-error cooldown early; a rate limit with a reset stays', async () => {
    const a = (await t.addAccount(fake.url, { name: 'A', apiKey: KEY_A })).id;
    const b = (await t.addAccount(fake.url, { name: 'B', apiKey: KEY_B })).id;
    await t.relay.health.report(a, { kind: 'server_error', reason: 'HTTP 500' }, { httpStatus: 500 });
    await t.relay.health.report(b, { kind: 'rate_limited', until: Date.now() + 3_600_000, reason: 'limit' }, { httpStatus: 429 });
    fake.enqueue({ kind: 'error', status: 500 }, { apiKey: KEY_A, endpoint: 'count_tokens' });
    assert.deepEqual(await t.relay.probe.probeAll(), [], 'still failing: nothing cleared');
    assert.equal(t.relay.health.get(a)[0]?.code, 'server_error');
    assert.deepEqual(await t.relay.probe.probeAll(), [a]);
    assert.equal(t.relay.health.get(a).length, 0);
    assert.equal(t.relay.health.get(b)[0]?.code, 'rate_limited', 'a probe does not second-guess an announced reset');
    const probes = fake.requests.filter((r) => r.path === '/v1/messages/count_tokens');
    assert.deepEqual(
      probes.map((r) => r.headers['x-api-key']),
      [KEY_A, KEY_A],
    );
  });

  test('groups: create, members, list, refuse to delete a non-empty group unless forced', async () => {
    const acct = (await t.addAccount(fake.url, { name: 'member', apiKey: KEY_A })).id;
    const g = await t.admin('POST', '/groups', { name: 'team-a', description: 'Team A accounts' });
    assert.equal(g.status, 201);
    assert.equal((await t.admin('POST', '/groups', { name: 'TEAM-A' })).status, 409);
    const m = await t.admin('PUT', `/groups/${g.json.id}/members`, { add: [acct] });
    assert.deepEqual(m.json.members, [acct]);
    assert.deepEqual((await t.admin('GET', `/accounts/${acct}`)).json.groupIds, [g.json.id]);
    const list = await t.admin('GET', '/groups');
    assert.deepEqual(
      list.json.items.map((x: any) => [x.name, x.members]),
      [['team-a', [acct]]],
    );
    const refused = await t.admin('DELETE', `/groups/${g.json.id}`);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.json.error.details.accounts, [acct]);
    assert.equal((await t.admin('DELETE', `/groups/${g.json.id}?force=true`)).status, 204);
    assert.deepEqual((await t.admin('GET', `/accounts/${acct}`)).json.groupIds, []);
    assert.equal((await t.admin('GET', `/groups/${g.json.id}`)).status, 404);
  });
});
