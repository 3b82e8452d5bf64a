// Subscription OAuth with two relay instances on one Redis: an authorisation started on one instance finishes on
// the other, and a due account refreshed by both at the same moment costs exactly one token call.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelayPair, type RelayPair, type TestRelay } from './support/harness.js';
import { authorizeAtFake, eventually, oauthEnv, storedSecrets } from './support/oauth.js';
import { redisSkipReason } from './support/redis.js';

const bearerOf = (h: Record<string, string>) => (h.authorization ?? '').replace(/^Bearer /, '');

describe('OAuth accounts on Redis, two instances', async () => {
  const skip = await redisSkipReason();
  let fake: FakeUpstream;
  let pair: RelayPair;
  let a: TestRelay;
  let b: TestRelay;

  before(async () => {
    if (skip) return;
    fake = await createFakeUpstream();
    fake.oauth.strictTokens = true;
    pair = await startRelayPair(oauthEnv(fake));
    ({ a, b } = pair);
  });
  after(async () => {
    if (skip) return;
    await pair.close();
    await fake.close();
  });

  test('a session started on A is exchanged on B and turned into an account on A', { skip: skip ?? false }, async () => {
    const { sessionId, identity } = await authorizeAtFake(a, fake, b);
    assert.equal(identity.email, 'subscriber@example.com');
    const r = await a.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'shared max', oauthSessionId: sessionId });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const twice = await b.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'again', oauthSessionId: sessionId });
    assert.equal(twice.json.error.code, 'OAUTH_SESSION_EXPIRED', 'used up on every instance');
    await a.admin('DELETE', `/accounts/${r.json.id}`);
  });

  test('both instances refresh the same due account at once: one token call, both use the new token', { skip: skip ?? false }, async () => {
    fake.oauth.accessExpiresIn = 30; // due at once (inside the 60 s margin)
    const { sessionId } = await authorizeAtFake(a, fake);
    const created = await a.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'due', oauthSessionId: sessionId });
    assert.equal(created.status, 201);
    const id = created.json.id;
    await eventually(async () => assert.ok(a.relay.pool.get(id) && b.relay.pool.get(id), 'both pools have the account'));
    const before = (await storedSecrets(a, id)).secrets;
    fake.oauth.accessExpiresIn = 3600;
    fake.oauth.tokenDelayMs = 300; // both instances are inside the refresh at the same time
    fake.oauth.refreshCalls = 0;
    fake.clearRequests();

    const keyA = await a.createKey({ name: 'a' });
    const sdkA = new Anthropic({ baseURL: `${a.url}/api`, apiKey: keyA.key, maxRetries: 0 });
    const sdkB = new Anthropic({ baseURL: `${b.url}/api`, apiKey: keyA.key, maxRetries: 0 });
    const ask = (sdk: Anthropic) => sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'race' }] });
    const results = await Promise.all([ask(sdkA), ask(sdkB), ask(sdkA), ask(sdkB)]);
    assert.ok(results.every((m) => m.type === 'message'));

    assert.equal(fake.oauth.refreshCalls, 1, 'exactly one refresh across both instances');
    const after = (await storedSecrets(b, id)).secrets;
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(fake.oauth.isRefreshTokenLive(after.refreshToken), true, 'the stored refresh token is the live one');
    const used = new Set(fake.requests.filter((r) => r.path === '/v1/messages').map((r) => bearerOf(r.headers)));
    assert.deepEqual([...used], [after.accessToken], 'every request on both instances went with the new token');

    // Later requests on either instance use it without refreshing again.
    await ask(sdkB);
    await ask(sdkA);
    assert.equal(fake.oauth.refreshCalls, 1);
    const lock = await a.relay.store.kv.get(`lock:refresh:${id}`);
    assert.equal(lock, null, 'the lock was released');
  });
});
