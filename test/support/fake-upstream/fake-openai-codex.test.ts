// The ChatGPT (Codex) side of the fake: OpenAI OAuth token grants (form and JSON, PKCE, rotation), the Codex backend
// (access token + chatgpt-account-id, x-codex-* headers, usage_limit_reached), wham usage, WebSocket refusal.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { CODEX_CLIENT_ID, CODEX_REDIRECT_URI, createFakeUpstream, decodeJwtPayload, type FakeUpstream } from './index.js';
import { parseSse } from './sse-parse.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => {
  fake.reset();
  fake.oauth.reset();
  fake.openaiOAuth.reset();
});
after(() => fake.close());

const ACCOUNT = { accountId: 'acc-team-42', email: 'dev@example.com', plan: 'pro' };
const pkce = () => {
  const verifier = randomBytes(32).toString('hex');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
const tokenCall = async (fields: Record<string, string>, encoding: 'form' | 'json' = 'form') => {
  const form = encoding === 'form';
  const r = await fetch(`${fake.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
  });
  return { status: r.status, json: (await r.json()) as any };
};
const exchange = (code: string, verifier: string, over: Record<string, string> = {}, encoding: 'form' | 'json' = 'form') =>
  tokenCall(
    { grant_type: 'authorization_code', code, redirect_uri: CODEX_REDIRECT_URI, client_id: CODEX_CLIENT_ID, code_verifier: verifier, ...over },
    encoding,
  );
const signIn = async (who = ACCOUNT) => {
  const p = pkce();
  const t = await exchange(fake.openaiOAuth.issueCode({ ...who, codeVerifier: p.verifier }), p.verifier);
  assert.equal(t.status, 200, JSON.stringify(t.json));
  return t.json;
};
const codex = (
  token: string,
  account: string | undefined,
  body: unknown = { model: 'gpt-5.5', input: 'hi codex', stream: true, store: false },
  path = '/backend-api/codex/responses',
) => {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'text/event-stream',
    originator: 'codex_cli_rs',
  };
  if (account !== undefined) headers['chatgpt-account-id'] = account;
  return fetch(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
};

test('authorization_code (form): PKCE, redirect_uri and client_id are checked; id_token carries the ChatGPT claim', async () => {
  const p = pkce();
  const code = fake.openaiOAuth.issueCode({ ...ACCOUNT, codeChallenge: p.challenge });
  assert.equal((await exchange(code, 'wrong-verifier')).json.error, 'invalid_grant');
  assert.equal((await exchange(code, p.verifier, { redirect_uri: 'http://localhost:9999/cb' })).json.error, 'invalid_grant');
  const client = await exchange(code, p.verifier, { client_id: 'app_other' });
  assert.deepEqual([client.status, client.json.error], [401, 'invalid_client']);
  const ok = await exchange(code, p.verifier);
  assert.equal(ok.status, 200);
  assert.match(ok.json.refresh_token, /^rt_/);
  assert.equal(ok.json.expires_in, 3600);
  const claims = decodeJwtPayload(ok.json.id_token);
  assert.equal(claims.email, 'dev@example.com');
  const auth = claims['https://api.openai.com/auth'];
  assert.equal(auth.chatgpt_account_id, 'acc-team-42');
  assert.equal(auth.chatgpt_plan_type, 'pro');
  assert.match(auth.chatgpt_user_id, /^user-/);
  assert.equal(auth.organizations[0].is_default, true);
  assert.equal(ok.json.access_token.split('.').length, 3, 'access token is a JWT');
  const again = await exchange(code, p.verifier);
  assert.deepEqual([again.status, again.json.error], [400, 'invalid_grant'], 'codes are single-use');
  assert.equal(fake.openaiOAuth.exchangeCalls, 5);
  const recorded = fake.requests.at(-1)!;
  assert.equal(recorded.path, '/oauth/token');
  assert.equal(recorded.form?.code_verifier, p.verifier);
  assert.equal(recorded.form?.grant_type, 'authorization_code');
});

test('authorization_code (JSON) and authorize(authUrl) returning the callback URL to paste', async () => {
  const p = pkce();
  const authUrl = `${fake.url}/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: CODEX_CLIENT_ID, redirect_uri: CODEX_REDIRECT_URI, scope: 'openid profile email offline_access', code_challenge: p.challenge, code_challenge_method: 'S256', state: 'st-1', id_token_add_organizations: 'true' })}`;
  const callback = new URL(fake.openaiOAuth.authorize(authUrl, { plan: 'team' }));
  assert.equal(`${callback.origin}${callback.pathname}`, CODEX_REDIRECT_URI);
  assert.equal(callback.searchParams.get('state'), 'st-1');
  const t = await exchange(callback.searchParams.get('code')!, p.verifier, {}, 'json');
  assert.equal(t.status, 200);
  assert.equal(decodeJwtPayload(t.json.id_token)['https://api.openai.com/auth'].chatgpt_plan_type, 'team');
  assert.throws(() => fake.openaiOAuth.authorize(authUrl.replace('S256', 'plain')));
  const unsupported = await tokenCall({ grant_type: 'password', client_id: CODEX_CLIENT_ID });
  assert.equal(unsupported.json.error, 'unsupported_grant_type');
  const r = await fetch(`${fake.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(r.status, 400);
});

test('refresh_token rotates (form and JSON): the old one dies, reuse is 400 invalid_grant; short expiry', async () => {
  fake.openaiOAuth.accessExpiresIn = 60;
  const first = await signIn();
  assert.equal(first.expires_in, 60);
  const second = await tokenCall({
    grant_type: 'refresh_token',
    client_id: CODEX_CLIENT_ID,
    refresh_token: first.refresh_token,
    scope: 'openid profile email',
  });
  assert.equal(second.status, 200);
  assert.notEqual(second.json.refresh_token, first.refresh_token);
  assert.notEqual(second.json.access_token, first.access_token);
  assert.equal(decodeJwtPayload(second.json.id_token)['https://api.openai.com/auth'].chatgpt_account_id, 'acc-team-42');
  assert.equal(fake.openaiOAuth.isRefreshTokenLive(first.refresh_token), false);
  const reuse = await tokenCall({ grant_type: 'refresh_token', client_id: CODEX_CLIENT_ID, refresh_token: first.refresh_token });
  assert.deepEqual([reuse.status, reuse.json.error], [400, 'invalid_grant']);
  const third = await tokenCall({ grant_type: 'refresh_token', client_id: CODEX_CLIENT_ID, refresh_token: second.json.refresh_token }, 'json');
  assert.equal(third.status, 200);
  assert.equal(fake.openaiOAuth.refreshCalls, 3);
  assert.equal((await codex(third.json.access_token, ACCOUNT.accountId)).status, 200);
  fake.openaiOAuth.expireAccessToken(third.json.access_token);
  const expired = await codex(third.json.access_token, ACCOUNT.accountId);
  assert.equal(expired.status, 401);
  assert.equal(((await expired.json()) as any).error.code, 'token_expired');
});

test('failTokenEndpoint answers the next calls; the Claude token endpoint and its state are separate', async () => {
  fake.openaiOAuth.failTokenEndpoint({ status: 403, body: '<html>cf</html>', contentType: 'text/html', times: 2 });
  for (let i = 0; i < 2; i++) {
    const r = await fetch(`${fake.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /cf/);
  }
  assert.equal((await signIn()).token_type, 'Bearer');
  const claude = await fetch(`${fake.url}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', client_id: CODEX_CLIENT_ID, refresh_token: 'rt_x' }),
  });
  assert.equal(claude.status, 401, 'the Claude endpoint knows only the Claude client');
  assert.equal(fake.oauth.refreshCalls, 1);
  assert.equal(fake.openaiOAuth.refreshCalls, 2);
});

test('Codex backend: token and chatgpt-account-id required (401/403); stream with x-codex-* headers', async () => {
  const t = await signIn();
  assert.equal((await codex('made-up', ACCOUNT.accountId)).status, 401);
  assert.equal((await codex('sk-proj-apikey', ACCOUNT.accountId)).status, 401, 'API keys do not open the ChatGPT backend');
  assert.equal((await codex(t.access_token, undefined)).status, 403);
  assert.equal((await codex(t.access_token, 'acc-someone-else')).status, 403);
  const res = await codex(t.access_token, ACCOUNT.accountId);
  assert.equal(res.status, 200);
  const now = Date.now() / 1000;
  assert.equal(res.headers.get('x-codex-primary-used-percent'), '3');
  assert.equal(res.headers.get('x-codex-primary-window-minutes'), '300');
  assert.equal(res.headers.get('x-codex-secondary-window-minutes'), '10080');
  assert.ok(Math.abs(Number(res.headers.get('x-codex-primary-reset-at')) - (now + 15858)) < 5);
  assert.ok(Math.abs(Number(res.headers.get('x-codex-secondary-reset-at')) - (now + 489450)) < 5);
  const events = parseSse(await res.text());
  assert.equal(events.at(-1)?.event, 'response.completed');
  assert.equal(events.filter((e) => e.event === 'response.output_item.done')[0].data.item.content[0].text, 'echo: hi codex');
  const r = fake.requests.at(-1)!;
  assert.equal(r.headers['chatgpt-account-id'], ACCOUNT.accountId);
  assert.equal(r.headers.originator, 'codex_cli_rs');
  fake.openaiOAuth.planUsage.resetHeaders = 'after';
  fake.openaiOAuth.planUsage.secondaryUsedPercent = 71;
  const older = await codex(t.access_token, ACCOUNT.accountId, { model: 'gpt-5.5', input: 'x' }, '/backend-api/codex/responses/compact');
  assert.equal(older.headers.get('x-codex-primary-reset-at'), null);
  assert.equal(older.headers.get('x-codex-primary-reset-after-seconds'), '15858');
  assert.equal(older.headers.get('x-codex-secondary-used-percent'), '71');
  assert.equal(((await older.json()) as any).object, 'response');
  fake.openaiOAuth.strictCodexBody = true;
  const strict = await codex(t.access_token, ACCOUNT.accountId, { model: 'gpt-5.5', input: 'x', stream: true });
  assert.deepEqual([strict.status, await strict.json()], [400, { detail: 'Store must be set to false' }]);
});

test('usage_limit_reached: 429 with resets_in_seconds/resets_at, and as response.failed inside a stream', async () => {
  const a = await signIn();
  const b = await signIn({ accountId: 'acc-b', email: 'b@example.com', plan: 'plus' });
  fake.enqueue({ kind: 'error', status: 429, type: 'usage_limit_reached', resetsInSeconds: 1200 }, { apiKey: 'acc-b' });
  assert.equal((await codex(a.access_token, ACCOUNT.accountId)).status, 200, 'filtered by account id');
  const limited = await codex(b.access_token, 'acc-b');
  assert.equal(limited.status, 429);
  const body = (await limited.json()) as any;
  const now = Date.now() / 1000;
  assert.equal(body.error.type, 'usage_limit_reached');
  assert.equal(body.error.plan_type, 'plus');
  assert.equal(body.error.resets_in_seconds, 1200);
  assert.ok(Math.abs(body.error.resets_at - (now + 1200)) < 5);
  assert.equal(limited.headers.get('x-codex-primary-used-percent'), '100');
  fake.enqueue({ kind: 'responses_reply', failed: { code: 'usage_limit_reached', afterEvents: 1 } }, { endpoint: 'codex_responses' });
  const events = parseSse(await (await codex(a.access_token, ACCOUNT.accountId)).text());
  assert.deepEqual(
    events.map((e) => e.event),
    ['response.created', 'response.failed'],
  );
  const err = events[1].data.response.error;
  assert.deepEqual([err.code, err.plan_type, err.resets_in_seconds], ['usage_limit_reached', 'pro', 15858]);
});

test('GET /backend-api/wham/usage: plan windows per 3.3, same auth as the backend', async () => {
  const t = await signIn();
  const get = (account = ACCOUNT.accountId) =>
    fetch(`${fake.url}/backend-api/wham/usage`, { headers: { authorization: `Bearer ${t.access_token}`, 'ChatGPT-Account-Id': account } });
  assert.equal((await get('acc-other')).status, 403);
  fake.openaiOAuth.planUsage.primaryUsedPercent = 100;
  const u = (await (await get()).json()) as any;
  const now = Date.now() / 1000;
  assert.equal(u.plan_type, 'pro');
  assert.deepEqual([u.rate_limit.allowed, u.rate_limit.limit_reached], [false, true]);
  assert.equal(u.rate_limit.primary_window.used_percent, 100);
  assert.equal(u.rate_limit.primary_window.limit_window_seconds, 18000);
  assert.equal(u.rate_limit.secondary_window.limit_window_seconds, 604800);
  assert.ok(Math.abs(u.rate_limit.secondary_window.reset_at - (now + 489450)) < 5);
  assert.equal(u.credits.has_credits, false);
});

test('WebSocket upgrade on the Responses paths gets a clean 426 (never 101); plain GET 405', async () => {
  const t = await signIn();
  for (const path of ['/v1/responses', '/backend-api/codex/responses']) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${fake.url}${path}`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': randomBytes(16).toString('base64'),
          'openai-beta': 'responses_websockets=2026-02-06',
          authorization: `Bearer ${t.access_token}`,
        },
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 426, path);
  }
  assert.equal((await fetch(`${fake.url}/v1/responses`)).status, 405);
  assert.equal(fake.requests.filter((r) => r.headers.upgrade === 'websocket').length, 2);
});
