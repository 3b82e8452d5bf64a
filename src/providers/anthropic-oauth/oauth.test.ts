import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayError } from '../../core/errors.js';
import type { ClaudeOAuthEndpoints } from '../types.js';
import { authorizeUrl, exchangeCode, newPkce, parsePastedCode, refreshTokens, s256 } from './oauth.js';

const CFG: ClaudeOAuthEndpoints = {
  authorizeUrl: 'https://claude.ai/oauth/authorize',
  tokenUrl: 'https://platform.claude.com/v1/oauth/token',
  clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  redirectUri: 'https://platform.claude.com/oauth/code/callback',
  scopes: 'org:create_api_key user:profile user:inference',
  usageUrl: 'https://api.anthropic.com/api/oauth/usage',
  profileUrl: 'https://api.anthropic.com/api/oauth/profile',
};

test('PKCE: S256 of the RFC 7636 example; fresh material is 43 base64url chars each', () => {
  assert.equal(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  const p = newPkce();
  assert.match(p.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.match(p.state, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(p.challenge, s256(p.verifier));
  assert.notEqual(p.state, newPkce().state);
});

test('authorise URL: the parameters of PROTOCOLS 3.1, in order', () => {
  const url = new URL(authorizeUrl(CFG, { verifier: 'v', challenge: 'ch', state: 'st' }));
  assert.equal(url.origin + url.pathname, CFG.authorizeUrl);
  assert.deepEqual(
    [...url.searchParams.keys()],
    ['code', 'client_id', 'response_type', 'redirect_uri', 'scope', 'code_challenge', 'code_challenge_method', 'state'],
  );
  assert.equal(url.searchParams.get('code'), 'true');
  assert.equal(url.searchParams.get('scope'), CFG.scopes);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('state'), 'st');
});

const pasteCases = [
  { in: 'abc_DEF-123#state-1', out: { code: 'abc_DEF-123', state: 'state-1' } },
  { in: '  abc123#st&x=1 ', out: { code: 'abc123', state: 'st' } },
  { in: 'abc123', out: { code: 'abc123', state: null } },
  { in: 'https://platform.claude.com/oauth/code/callback?code=abc123&state=st', out: { code: 'abc123', state: 'st' } },
  { in: 'https://platform.claude.com/oauth/code/callback?code=abc123#st', out: { code: 'abc123', state: 'st' } },
  { in: 'https://platform.claude.com/oauth/code/callback?state=st', out: null },
  { in: 'ab c#d', out: null },
  { in: '#state', out: null },
  { in: '', out: null },
];
for (const c of pasteCases) test(`pasted code: ${JSON.stringify(c.in)}`, () => assert.deepEqual(parsePastedCode(c.in), c.out));

function stubFetch(status: number, body: string, contentType = 'application/json'): { fetch: typeof fetch; calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(body, { status, headers: { 'content-type': contentType } });
    }) as unknown as typeof fetch,
  };
}

test('code exchange: JSON body of PROTOCOLS 3.1, our own user agent; token set in ms with identity', async () => {
  const s = stubFetch(
    200,
    JSON.stringify({
      access_token: 'sk-ant-oat01-a',
      refresh_token: 'sk-ant-ort01-r',
      expires_in: 3600,
      scope: 'user:inference user:profile',
      organization: { uuid: 'o1', name: 'Org' },
      account: { uuid: 'a1', email_address: 'me@x.io' },
    }),
  );
  const t = await exchangeCode(CFG, { code: 'c0de', state: 'st', verifier: 'ver' }, { fetch: s.fetch, now: 1000, viaProxy: false });
  assert.deepEqual(t, {
    accessToken: 'sk-ant-oat01-a',
    refreshToken: 'sk-ant-ort01-r',
    expiresAt: 1000 + 3600_000,
    scopes: ['user:inference', 'user:profile'],
    email: 'me@x.io',
    org: 'Org',
    orgUuid: 'o1',
    accountUuid: 'a1',
  });
  assert.equal(s.calls[0].url, CFG.tokenUrl);
  assert.deepEqual(JSON.parse(s.calls[0].init.body as string), {
    grant_type: 'authorization_code',
    client_id: CFG.clientId,
    code: 'c0de',
    redirect_uri: CFG.redirectUri,
    code_verifier: 'ver',
    state: 'st',
  });
  const h = s.calls[0].init.headers as Record<string, string>;
  assert.equal(h['content-type'], 'application/json');
  assert.doesNotMatch(h['user-agent'], /claude-cli/, 'the relay does not pose as Claude Code');
});

test('refresh: grant, client id, refresh token; rotation visible in the result', async () => {
  const s = stubFetch(200, JSON.stringify({ access_token: 'sk-ant-oat01-b', refresh_token: 'sk-ant-ort01-new', expires_in: 60 }));
  const t = await refreshTokens(CFG, 'sk-ant-ort01-old', { fetch: s.fetch, now: 0, viaProxy: false });
  assert.equal(t.refreshToken, 'sk-ant-ort01-new');
  assert.deepEqual(JSON.parse(s.calls[0].init.body as string), { grant_type: 'refresh_token', refresh_token: 'sk-ant-ort01-old', client_id: CFG.clientId });
});

const failureCases = [
  { name: 'invalid_grant', status: 400, body: '{"error":"invalid_grant","error_description":"Invalid code"}', code: 'OAUTH_INVALID_GRANT' },
  { name: 'invalid_client (401)', status: 401, body: '{"error":"invalid_client"}', code: 'OAUTH_INVALID_GRANT' },
  { name: '404: the endpoint moved', status: 404, body: '{"type":"error","error":{"type":"not_found_error"}}', code: 'OAUTH_ENDPOINT_CHANGED' },
  { name: '200 without a token', status: 200, body: '{"ok":true}', code: 'OAUTH_ENDPOINT_CHANGED' },
  { name: '200 with HTML', status: 200, body: '<html></html>', code: 'OAUTH_ENDPOINT_CHANGED', type: 'text/html' },
  { name: 'Cloudflare challenge', status: 403, body: '<html>Just a moment…</html>', code: 'OAUTH_CLOUDFLARE_BLOCKED', type: 'text/html; charset=utf-8' },
  { name: '503', status: 503, body: '{"error":"temporarily_unavailable"}', code: 'UPSTREAM_BAD_RESPONSE' },
];
for (const c of failureCases) {
  test(`token endpoint failure: ${c.name} → ${c.code}`, async () => {
    const s = stubFetch(c.status, c.body, c.type);
    await assert.rejects(refreshTokens(CFG, 'rt', { fetch: s.fetch, now: 0, viaProxy: false }), (e: unknown) => e instanceof RelayError && e.code === c.code);
  });
}

test('transport failures: through a proxy they are the proxy’s', async () => {
  const broken = (async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  }) as unknown as typeof fetch;
  await assert.rejects(
    refreshTokens(CFG, 'rt', { fetch: broken, now: 0, viaProxy: true }),
    (e: unknown) => e instanceof RelayError && e.code === 'OAUTH_PROXY_UNREACHABLE' && /ECONNREFUSED/.test(e.message),
  );
  await assert.rejects(
    refreshTokens(CFG, 'rt', { fetch: broken, now: 0, viaProxy: false }),
    (e: unknown) => e instanceof RelayError && e.code === 'UPSTREAM_UNREACHABLE',
  );
});
