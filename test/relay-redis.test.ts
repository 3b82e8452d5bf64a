// The relay on the shared Redis store: two instances see the same keys, accounts and usage, and an edit on one
// takes effect on the other at once (pub/sub cache invalidation).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { redisSkipReason } from './support/redis.js';

describe('relay on Redis, two instances', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let pair: RelayPair;
  let a: TestRelay;
  let b: TestRelay;

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream();
    pair = await startRelayPair();
    ({ a, b } = pair);
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await fake.close();
  });

  test('a key and an account created on A serve requests on B; usage lands in the shared store', { skip: skip ?? false }, async () => {
    assert.equal(a.relay.store.kind, 'redis');
    const key = await a.createKey({ name: 'shared' });
    const acct = await a.addAccount(fake.url);
    const deadline = Date.now() + 2000;
    while (!b.relay.pool.get(acct.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(b.relay.pool.get(acct.id), 'B loaded the account after A created it');
    const sdk = new Anthropic({ baseURL: `${b.url}/api`, apiKey: key.key, maxRetries: 0 });
    fake.enqueue({ kind: 'reply', usage: { input_tokens: 7, output_tokens: 3 } });
    await sdk.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    // The client may see the end of the stream a moment before the relay records it: wait for the record.
    let report = await a.admin('GET', `/usage?keyId=${key.id}&granularity=hour`);
    for (const until = Date.now() + 3000; report.json.totals.requests === 0 && Date.now() < until;) {
      await b.relay.recorder.drain();
      report = await a.admin('GET', `/usage?keyId=${key.id}&granularity=hour`);
    }
    assert.equal(report.json.totals.requests, 1);
    assert.equal(report.json.totals.input, 7);
    assert.equal(report.json.totals.output, 3);
  });

  test('a key disabled on A is refused by B within a second', { skip: skip ?? false }, async () => {
    const key = await a.createKey({ name: 'to-disable' });
    const sdk = new Anthropic({ baseURL: `${b.url}/api`, apiKey: key.key, maxRetries: 0 });
    await sdk.models.list(); // B now has the key cached
    await a.admin('PATCH', `/api-keys/${key.id}`, { isActive: false });
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 1000) {
      status = (await fetch(`${b.url}/api/v1/models`, { headers: { 'x-api-key': key.key } })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 401);
  });
});
