// Claude subscription accounts end to end against the fake: authorise (PKCE), exchange the pasted code, create the
// account, relay through it with the SDK, refresh before expiry with rotation, one refresh after a 401, usage
// windows in the admin API, and the stable error codes of the flow.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { addOAuthAccount, authorizeAtFake, eventually, oauthEnv, storedSecrets } from './support/oauth.js';
import { startSocks5Proxy } from './support/proxies.js';

const bearerOf = (h: Record<string, string>) => (h.authorization ?? '').replace(/^Bearer /, '');

describe('Claude subscription (OAuth) accounts', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let sdk: Anthropic;
  /** Moves the relay's clock (session expiry) without touching the machine's. */
  const clock = { offset: 0, now: () => Date.now() + clock.offset };

  before(async () => {
    fake = await createFakeUpstream();
    fake.oauth.strictTokens = true;
    t = await startRelay({ env: oauthEnv(fake), clock });
    key = await t.createKey({ name: 'oauth e2e' });
    sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key.key, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  afterEach(async () => {
    // Each test starts with an empty pool and a fresh fake provider.
    for (const a of (await t.admin('GET', '/accounts')).json.items) await t.admin('DELETE', `/accounts/${a.id}`);
    await t.relay.pool.reload();
    fake.reset();
    fake.oauth.reset();
    fake.oauth.strictTokens = true;
    clock.offset = 0;
  });

  test('authorise, exchange, create, relay: bearer token with the oauth beta merged into the client’s betas', async () => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
    assert.equal(s.status, 201);
    assert.match(s.json.sessionId, /^[0-9a-f-]{36}$/);
    assert.ok(Date.parse(s.json.expiresAt) > Date.now() + 9 * 60_000, 'about ten minutes to finish');
    assert.match(s.json.terms, /own use/);
    const auth = new URL(s.json.authUrl);
    assert.equal(auth.origin, fake.url);
    assert.equal(auth.searchParams.get('client_id'), '9d1c250a-e61b-44d9-88ed-5944d1962f5e');
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');

    const pasted = fake.oauth.authorize(s.json.authUrl);
    const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: pasted });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.equal(x.json.identity.email, 'subscriber@example.com');
    assert.equal(x.json.identity.org, 'Example Org');
    assert.equal(x.json.identity.plan, 'max');
    assert.ok(x.json.identity.scopes.includes('user:inference'));
    assert.ok(Date.parse(x.json.identity.tokenExpiresAt) > Date.now());
    assert.ok(!JSON.stringify(x.json).includes('sk-ant-o'), 'no token leaves the relay');
    const again = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: pasted });
    assert.deepEqual(again.json, x.json, 'a repeated exchange answers with the same identity');

    const created = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'max', oauthSessionId: s.json.sessionId, priority: 10 });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const view = created.json;
    assert.equal(view.kind, 'anthropic-oauth');
    assert.equal(view.priority, 10);
    assert.deepEqual(view.identity, { email: 'subscriber@example.com', org: 'Example Org', plan: 'max' });
    assert.match(view.terms, /may breach/);
    assert.match(view.secretHint, /^sk-ant-oat01-…/);
    assert.ok(!JSON.stringify(view).includes('sk-ant-ort'), 'the refresh token never comes out');
    const reuse = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'twice', oauthSessionId: s.json.sessionId });
    assert.equal(reuse.status, 410);
    assert.equal(reuse.json.error.code, 'OAUTH_SESSION_EXPIRED', 'the session was used up');

    const { sealed, secrets } = await storedSecrets(t, view.id);
    assert.ok(!sealed.includes(secrets.accessToken) && !sealed.includes(secrets.refreshToken), 'tokens are sealed at rest');
    await t.relay.pool.reload();

    const msg = await sdk.beta.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 32,
      betas: ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27'],
      messages: [{ role: 'user', content: 'hello subscription' }],
    });
    assert.match((msg.content[0] as Anthropic.TextBlock).text, /hello subscription/);
    const up = fake.requests.filter((r) => r.path === '/v1/messages');
    assert.equal(up.length, 1);
    assert.equal(up[0].headers.authorization, `Bearer ${secrets.accessToken}`);
    assert.equal(up[0].headers['x-api-key'], undefined);
    assert.equal(up[0].headers['anthropic-beta'], 'interleaved-thinking-2025-05-14,context-management-2025-06-27,oauth-2025-04-20');
    assert.match(up[0].headers['user-agent'] ?? '', /Anthropic\/JS/, 'the client is not disguised');
    assert.ok(!JSON.stringify(up[0].headers).includes(key.key), 'the relay key never goes upstream');
  });

  test('the callback URL is accepted in place of code#state', async () => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
    const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { callbackUrl: fake.oauth.callbackUrl(s.json.authUrl) });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.equal(x.json.identity.email, 'subscriber@example.com');
  });

  test('refresh before expiry: one token call, the refresh token rotates, the new pair is stored sealed', async () => {
    fake.oauth.accessExpiresIn = 30; // inside the 60 s margin: due at once
    const { id } = await addOAuthAccount(t, fake);
    const before = (await storedSecrets(t, id)).secrets;
    fake.oauth.accessExpiresIn = 3600;

    await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'one' }] });
    assert.equal(fake.oauth.refreshCalls, 1);
    const after = await storedSecrets(t, id);
    assert.notEqual(after.secrets.accessToken, before.accessToken);
    assert.notEqual(after.secrets.refreshToken, before.refreshToken);
    assert.equal(fake.oauth.isRefreshTokenLive(before.refreshToken), false, 'the old refresh token is dead');
    assert.equal(fake.oauth.isRefreshTokenLive(after.secrets.refreshToken), true, 'the stored one is the live one');
    assert.ok(after.secrets.expiresAt > Date.now() + 3000_000);
    assert.ok(!after.sealed.includes(after.secrets.refreshToken), 'sealed at rest');
    assert.equal(after.secrets.email, 'subscriber@example.com', 'identity kept across refreshes');
    const sent = fake.requests.filter((r) => r.path === '/v1/messages');
    assert.equal(bearerOf(sent[0].headers), after.secrets.accessToken, 'the request went with the new token');

    await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'two' }] });
    assert.equal(fake.oauth.refreshCalls, 1, 'no refresh while the token is fresh');
  });

  test('concurrent requests in one process share one refresh', async () => {
    fake.oauth.accessExpiresIn = 30;
    await addOAuthAccount(t, fake);
    fake.oauth.accessExpiresIn = 3600;
    fake.oauth.tokenDelayMs = 200;
    const ask = () => sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    await Promise.all([ask(), ask(), ask(), ask()]);
    assert.equal(fake.oauth.refreshCalls, 1);
    const tokens = new Set(fake.requests.filter((r) => r.path === '/v1/messages').map((r) => bearerOf(r.headers)));
    assert.equal(tokens.size, 1, 'all four went with the same new token');
  });

  test('a 401 on an OAuth account triggers exactly one refresh, then the request succeeds on the same account', async () => {
    const { id } = await addOAuthAccount(t, fake);
    const old = (await storedSecrets(t, id)).secrets;
    fake.oauth.expireAccessToken(); // the relay still believes the token is good for hours
    const msg = await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'after expiry' }] });
    assert.equal(msg.type, 'message');
    assert.equal(fake.oauth.refreshCalls, 1);
    const sent = fake.requests.filter((r) => r.path === '/v1/messages');
    assert.equal(sent.length, 2);
    assert.equal(bearerOf(sent[0].headers), old.accessToken);
    const now = (await storedSecrets(t, id)).secrets;
    assert.equal(bearerOf(sent[1].headers), now.accessToken);
    assert.notEqual(now.accessToken, old.accessToken);
  });

  test('a 401 whose refresh fails makes one refresh call, not one per request', async () => {
    await addOAuthAccount(t, fake);
    fake.oauth.expireAccessToken();
    fake.oauth.failTokenEndpoint({ status: 400, body: { error: 'invalid_grant', error_description: 'Refresh token revoked' }, times: 5 });
    const ask = () => sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    await assert.rejects(ask(), (e: unknown) => e instanceof Anthropic.APIError && (e.status ?? 0) >= 400);
    await assert.rejects(ask(), (e: unknown) => e instanceof Anthropic.APIError && (e.status ?? 0) >= 400);
    assert.equal(fake.oauth.refreshCalls, 1, 'a failed refresh is not retried at once');
  });

  test('usage windows: from the unified headers of relayed responses, and fetched on demand', async () => {
    const { id } = await addOAuthAccount(t, fake);
    fake.enqueue({ kind: 'reply', unified: 'allowed_warning' });
    await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'w' }] });
    const item = await eventually(async () => {
      const list = await t.admin('GET', '/accounts');
      const a = list.json.items.find((x: any) => x.id === id);
      assert.equal(a.windows.length, 2);
      return a;
    });
    const [w5, w7] = item.windows;
    assert.deepEqual([w5.id, w5.utilization, w5.status], ['5h', 0.92, 'warning']);
    assert.deepEqual([w7.id, w7.utilization, w7.status], ['7d', 0.31, 'allowed']);
    assert.ok(Date.parse(w5.resetsAt) > Date.now() && Date.parse(w5.observedAt) <= Date.now());
    assert.equal((await t.admin('GET', `/accounts/${id}`)).json.windows[0].utilization, 0.92, 'the detail view has them too');

    const r = await t.admin('POST', `/accounts/${id}/refresh-windows`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(
      r.json.windows.map((w: any) => [w.id, w.utilization]),
      [
        ['5h', 0.24],
        ['7d', 0.36],
        ['7d_sonnet', 0.01],
      ],
    );
    const usageCall = fake.requests.find((x) => x.path === '/api/oauth/usage');
    assert.match(usageCall?.headers.authorization ?? '', /^Bearer sk-ant-oat01-/);
    assert.equal(usageCall?.headers['anthropic-beta'], 'oauth-2025-04-20');
    assert.equal((await t.admin('GET', `/accounts/${id}`)).json.windows[0].utilization, 0.24);
  });

  test('forced refresh from the admin API rotates the tokens', async () => {
    const { id } = await addOAuthAccount(t, fake);
    const old = (await storedSecrets(t, id)).secrets;
    const r = await t.admin('POST', `/accounts/${id}/refresh-token`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.refreshed, true);
    assert.ok(Date.parse(r.json.tokenExpiresAt) > Date.now());
    assert.equal(fake.oauth.refreshCalls, 1);
    assert.equal(fake.oauth.isRefreshTokenLive(old.refreshToken), false);
    fake.oauth.failTokenEndpoint({ status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } });
    const bad = await t.admin('POST', `/accounts/${id}/refresh-token`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'OAUTH_INVALID_GRANT');
  });

  test('stable error codes: bad code, foreign state, moved endpoint, expired or unknown session', async () => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
    const state = new URL(s.json.authUrl).searchParams.get('state');
    const bad = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: `notarealcode#${state}` });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'OAUTH_INVALID_GRANT');
    assert.match(bad.json.error.requestId, /^req_/);

    const otherSession = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
    const foreign = fake.oauth.authorize(otherSession.json.authUrl);
    const mixed = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: foreign });
    assert.equal(mixed.json.error.code, 'OAUTH_INVALID_GRANT', 'a code of another session is refused before it is spent');

    const junk = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: 'not a code!' });
    assert.equal(junk.json.error.code, 'VALIDATION_FAILED');

    fake.oauth.failTokenEndpoint({ status: 404, body: 'Not Found', contentType: 'text/plain' });
    const moved = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: fake.oauth.authorize(s.json.authUrl) });
    assert.equal(moved.status, 502);
    assert.equal(moved.json.error.code, 'OAUTH_ENDPOINT_CHANGED');

    const ok = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: fake.oauth.authorize(s.json.authUrl) });
    assert.equal(ok.status, 200, 'failed attempts leave the session usable');

    const late = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
    clock.offset = 11 * 60_000;
    const expired = await t.admin('POST', `/oauth/sessions/${late.json.sessionId}/exchange`, { code: fake.oauth.authorize(late.json.authUrl) });
    assert.equal(expired.status, 410);
    assert.equal(expired.json.error.code, 'OAUTH_SESSION_EXPIRED');
    clock.offset = 0;

    const unknown = await t.admin('POST', '/oauth/sessions/00000000-0000-4000-8000-000000000000/exchange', { code: 'abc#def' });
    assert.equal(unknown.json.error.code, 'OAUTH_SESSION_EXPIRED');
    const notExchanged = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'x', oauthSessionId: otherSession.json.sessionId });
    assert.equal(notExchanged.json.error.code, 'VALIDATION_FAILED');
    const wrongKind = await t.admin('POST', '/accounts', { kind: 'anthropic-api', name: 'x', oauthSessionId: s.json.sessionId });
    assert.equal(wrongKind.json.error.code, 'VALIDATION_FAILED');
    const stillThere = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'x', oauthSessionId: s.json.sessionId });
    assert.equal(stillThere.status, 201, 'a refused create does not use the session up');
  });

  test('the session lives in the store, sealed', async () => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude', proxy: null });
    const sealed = await t.relay.store.oauthSessions.get(s.json.sessionId);
    assert.ok(sealed, 'kept in the store');
    assert.ok(!sealed.includes(new URL(s.json.authUrl).searchParams.get('state')!), 'sealed');
    const ttl = await t.relay.store.oauthSessions.ttl(s.json.sessionId);
    assert.ok(ttl !== null && ttl > 9 * 60_000 && ttl <= 10 * 60_000);
    const { identity } = await authorizeAtFake(t, fake);
    assert.equal(identity.plan, 'max');
  });

  test('the token calls go through the session’s proxy, which the account inherits; a dead proxy has its own code', async () => {
    const socks = await startSocks5Proxy();
    try {
      const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude', proxy: socks.url });
      const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: fake.oauth.authorize(s.json.authUrl) });
      assert.equal(x.status, 200, JSON.stringify(x.json));
      const fakePort = Number(new URL(fake.url).port);
      assert.ok(
        socks.records.some((r) => r.port === fakePort),
        'the exchange went through the proxy',
      );
      const created = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'proxied', oauthSessionId: s.json.sessionId });
      assert.deepEqual(created.json.proxy, { type: 'socks5', host: new URL(socks.url).host });
      await t.relay.pool.reload();
      const r = await t.admin('POST', `/accounts/${created.json.id}/refresh-token`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      await socks.close();
      const viaDeadProxy = await t.admin('POST', `/accounts/${created.json.id}/refresh-token`);
      assert.equal(viaDeadProxy.json.error?.code, 'OAUTH_PROXY_UNREACHABLE', 'the refresh goes through the account’s proxy');
    } finally {
      await socks.close();
    }
    const dead = await t.admin('POST', '/oauth/sessions', { provider: 'claude', proxy: 'socks5://127.0.0.1:1' });
    const x = await t.admin('POST', `/oauth/sessions/${dead.json.sessionId}/exchange`, { code: fake.oauth.authorize(dead.json.authUrl) });
    assert.equal(x.status, 502);
    assert.equal(x.json.error.code, 'OAUTH_PROXY_UNREACHABLE');
  });
});
