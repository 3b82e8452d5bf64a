// The fake's OAuth personality on its own (no relay): PKCE checks, single-use codes, rotation, expiry.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CLAUDE_CLIENT_ID, createFakeUpstream, type FakeUpstream } from './index.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => {
  fake.reset();
  fake.oauth.reset();
});
after(() => fake.close());

const REDIRECT = 'https://platform.claude.com/oauth/code/callback';
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url'), state: randomBytes(8).toString('hex') };
};
const authUrl = (p: ReturnType<typeof pkce>, scope = 'user:inference user:profile') =>
  `${fake.url}/oauth/authorize?` +
  new URLSearchParams({
    code: 'true',
    client_id: CLAUDE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    state: p.state,
  });
const tokenCall = async (body: Record<string, unknown>) => {
  const r = await fetch(`${fake.url}/v1/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as any };
};
const exchange = (code: string, p: ReturnType<typeof pkce>, over: Record<string, unknown> = {}) =>
  tokenCall({
    grant_type: 'authorization_code',
    client_id: CLAUDE_CLIENT_ID,
    code,
    redirect_uri: REDIRECT,
    code_verifier: p.verifier,
    state: p.state,
    ...over,
  });
const messages = (token: string, beta = 'oauth-2025-04-20') =>
  fetch(`${fake.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'anthropic-version': '2023-06-01', 'anthropic-beta': beta, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  });

test('authorization_code: PKCE, redirect_uri, state and client_id are checked; codes are single-use', async () => {
  const p = pkce();
  const [code, state] = fake.oauth.authorize(authUrl(p)).split('#');
  assert.equal(state, p.state);
  assert.equal((await exchange(code, p, { code_verifier: 'wrong' })).json.error, 'invalid_grant');
  assert.equal((await exchange(code, p, { redirect_uri: 'http://localhost/cb' })).json.error, 'invalid_grant');
  assert.equal((await exchange(code, p, { state: 'other' })).json.error, 'invalid_grant');
  assert.equal((await exchange(code, p, { client_id: 'someone-else' })).status, 401);
  const ok = await exchange(code, p);
  assert.equal(ok.status, 200);
  assert.match(ok.json.access_token, /^sk-ant-oat01-/);
  assert.match(ok.json.refresh_token, /^sk-ant-ort01-/);
  assert.equal(ok.json.expires_in, 28_800);
  assert.equal(ok.json.account.email_address, 'subscriber@example.com');
  assert.equal((await exchange(code, p)).json.error, 'invalid_grant', 'used once');
  assert.equal(fake.oauth.exchangeCalls, 6);
});

test('refresh_token: rotation kills the old refresh token; issued access tokens work until they expire', async () => {
  const p = pkce();
  const first = (await exchange(fake.oauth.authorize(authUrl(p)).split('#')[0], p)).json;
  assert.equal((await messages(first.access_token)).status, 200);
  assert.equal((await messages(first.access_token, 'claude-code-20250219')).status, 401, 'the oauth beta is required');
  const second = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLAUDE_CLIENT_ID });
  assert.equal(second.status, 200);
  assert.notEqual(second.json.refresh_token, first.refresh_token);
  const replay = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLAUDE_CLIENT_ID });
  assert.equal(replay.json.error, 'invalid_grant');
  assert.equal(fake.oauth.refreshCalls, 2);
  fake.oauth.expireAccessToken(second.json.access_token);
  const expired = await messages(second.json.access_token);
  assert.equal(expired.status, 401);
  assert.match(((await expired.json()) as any).error.message, /OAuth token has expired/);
});

test('usage and profile need the user:profile scope; strict mode refuses tokens the fake did not issue', async () => {
  const p = pkce();
  const t = (await exchange(fake.oauth.authorize(authUrl(p, 'user:inference')).split('#')[0], p)).json;
  const usage = await fetch(`${fake.url}/api/oauth/usage`, { headers: { authorization: `Bearer ${t.access_token}` } });
  assert.equal(usage.status, 403);
  const q = pkce();
  const t2 = (await exchange(fake.oauth.authorize(authUrl(q)).split('#')[0], q)).json;
  const u2 = (await (await fetch(`${fake.url}/api/oauth/usage`, { headers: { authorization: `Bearer ${t2.access_token}` } })).json()) as any;
  assert.equal(u2.five_hour.utilization, 24);
  const prof = (await (await fetch(`${fake.url}/api/oauth/profile`, { headers: { authorization: `Bearer ${t2.access_token}` } })).json()) as any;
  assert.equal(prof.organization.organization_type, 'claude_max');
  assert.equal((await messages('sk-ant-oat01-made-up')).status, 200, 'lenient by default (older tests rely on it)');
  fake.oauth.strictTokens = true;
  assert.equal((await messages('sk-ant-oat01-made-up')).status, 401);
});

test('failTokenEndpoint answers the next calls as told', async () => {
  fake.oauth.failTokenEndpoint({ status: 403, body: '<html>challenge</html>', contentType: 'text/html', times: 2 });
  for (let i = 0; i < 2; i++) {
    const r = await fetch(`${fake.url}/v1/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /challenge/);
  }
  assert.equal((await tokenCall({ grant_type: 'refresh_token', client_id: CLAUDE_CLIENT_ID, refresh_token: 'x' })).json.error, 'invalid_grant');
});
