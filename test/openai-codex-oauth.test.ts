// ChatGPT (Codex) subscription accounts end to end against the fake's OpenAI personality: authorise (PKCE),
// paste the callback URL, create the account, relay Codex's Responses stream to the ChatGPT backend with the
// account id header, plan windows from x-codex-* headers, refresh with rotation, and the usage-limit cooldown.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { eventually, openaiEnv, storedSecrets } from './support/oauth.js';

const CODEX_UA = { 'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)', originator: 'codex_exec' };

describe('ChatGPT (Codex) subscription accounts', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let sdk: OpenAI;

  const addCodexAccount = async (who: Record<string, string> = {}) => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'openai' });
    assert.equal(s.status, 201, JSON.stringify(s.json));
    const callbackUrl = fake.openaiOAuth.authorize(s.json.authUrl, who);
    const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { callbackUrl });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    const r = await t.admin('POST', '/accounts', { kind: 'openai-oauth', name: 'codex plus', oauthSessionId: s.json.sessionId });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    await t.relay.pool.reload();
    return { session: s.json, identity: x.json.identity, view: r.json };
  };
  const backendCalls = () => fake.requests.filter((r) => r.path === '/backend-api/codex/responses');

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: openaiEnv(fake) });
    key = await t.createKey({ name: 'codex oauth' });
    sdk = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.key, maxRetries: 0, defaultHeaders: CODEX_UA });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  afterEach(async () => {
    for (const a of (await t.admin('GET', '/accounts')).json.items) await t.admin('DELETE', `/accounts/${a.id}`);
    await t.relay.pool.reload();
    fake.reset();
    fake.openaiOAuth.reset();
  });

  test('authorise, paste the callback URL, create, relay: bearer token and chatgpt-account-id reach the backend', async () => {
    const { session, identity, view } = await addCodexAccount();
    const auth = new URL(session.authUrl);
    assert.equal(auth.origin + auth.pathname, `${fake.url}/oauth/authorize`);
    assert.equal(auth.searchParams.get('client_id'), 'app_EMoamEEZ73f0CkXaXp7hrann');
    assert.equal(auth.searchParams.get('redirect_uri'), 'http://localhost:1455/auth/callback');
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.match(session.terms, /OpenAI’s terms/);
    assert.equal(identity.email, 'codex-user@example.com');
    assert.equal(identity.plan, 'plus');
    assert.equal(view.kind, 'openai-oauth');
    assert.deepEqual(view.identity, { email: 'codex-user@example.com', org: 'Personal', plan: 'plus' });
    assert.match(view.terms, /may breach/);
    const { sealed, secrets } = await storedSecrets(t, view.id);
    assert.equal(secrets.accountId, 'acc_3f9d2c1e-0b7a-4c55-9e61-2a8f0d4b7c10');
    assert.ok(!sealed.includes(secrets.accessToken) && !sealed.includes(secrets.refreshToken), 'tokens are sealed at rest');

    const stream = sdk.responses.stream({ model: 'gpt-5.5', input: 'hello codex', store: false });
    const final = await stream.finalResponse();
    assert.match(final.output_text, /hello codex/);
    const up = backendCalls()[0];
    assert.equal(up.headers.authorization, `Bearer ${secrets.accessToken}`);
    assert.equal(up.headers['chatgpt-account-id'], secrets.accountId);
    assert.ok(!JSON.stringify(up.headers).includes(key.key), 'the relay key never goes upstream');
    const [row] = await t.recorded(key.id);
    assert.equal(row.accountId, view.id);
    assert.ok((row.usage?.input ?? 0) > 0);
    // The plan's windows, read from the x-codex-* headers of that answer.
    const a = await eventually(async () => {
      const v = (await t.admin('GET', `/accounts/${view.id}`)).json;
      assert.equal(v.windows.length, 2);
      return v;
    });
    const five = a.windows.find((w: { id: string }) => w.id === '5h');
    assert.equal(five.utilization, 0.03);
    assert.ok(Date.parse(five.resetsAt) > Date.now());
  });

  test('a token near expiry is refreshed first; the refresh token rotates and the new pair is stored', async () => {
    fake.openaiOAuth.accessExpiresIn = 60; // inside the refresh margin: due at once
    const { view } = await addCodexAccount();
    const before = (await storedSecrets(t, view.id)).secrets;
    await sdk.responses.create({ model: 'gpt-5.5', input: 'refresh me' });
    assert.equal(fake.openaiOAuth.refreshCalls, 1);
    const afterRefresh = (await storedSecrets(t, view.id)).secrets;
    assert.notEqual(afterRefresh.accessToken, before.accessToken);
    assert.notEqual(afterRefresh.refreshToken, before.refreshToken);
    assert.equal(fake.openaiOAuth.isRefreshTokenLive(before.refreshToken), false, 'the old refresh token is dead');
    assert.equal(backendCalls()[0].headers.authorization, `Bearer ${afterRefresh.accessToken}`);
  });

  test('a 401 gets one refresh and one more try on the same account', async () => {
    const { view } = await addCodexAccount();
    const before = (await storedSecrets(t, view.id)).secrets;
    fake.openaiOAuth.expireAccessToken(before.accessToken);
    const r = await sdk.responses.create({ model: 'gpt-5.5', input: 'expired' });
    assert.ok(r.id);
    assert.equal(backendCalls().length, 2);
    assert.equal(fake.openaiOAuth.refreshCalls, 1);
  });

  test('usage_limit_reached: the client sees the backend’s 429; the account cools down until the announced reset', async () => {
    const { view } = await addCodexAccount();
    fake.enqueue({ kind: 'error', status: 429, type: 'usage_limit_reached', resetsInSeconds: 7200 }, { endpoint: 'codex_responses' });
    await assert.rejects(sdk.responses.create({ model: 'gpt-5.5', input: 'limit' }), (e: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(e.status, 429);
      assert.equal((e.error as { type?: string }).type, 'usage_limit_reached');
      return true;
    });
    const a = (await t.admin('GET', `/accounts/${view.id}`)).json;
    assert.equal(a.health.state, 'rate_limited');
    const until = Date.parse(a.health.availableAt);
    assert.ok(Math.abs(until - (Date.now() + 7200_000)) < 60_000, `cooling until the reset (${a.health.availableAt})`);
    await assert.rejects(
      sdk.responses.create({ model: 'gpt-5.5', input: 'again' }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 429 && e.headers?.get('retry-after') !== null,
    );
    assert.equal(backendCalls().length, 1, 'no second call while the account cools');
  });

  test('chat completions for an OpenAI model need an API-key account: a ChatGPT account does not serve them', async () => {
    await addCodexAccount();
    await assert.rejects(
      sdk.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'x' }] }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 503,
    );
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ['/oauth/token'],
      'only the sign-in reached the provider',
    );
  });
});
