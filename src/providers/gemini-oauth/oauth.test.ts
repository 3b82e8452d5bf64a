// Google OAuth for Gemini CLI accounts (PROTOCOLS 3.4): the authorise URL, the pasted code, the form-encoded token
// calls with the client secret, and the Code Assist project discovery (loadCodeAssist, onboardUser polled, bounded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePastedCode } from '../oauth-token.js';
import type { GoogleOAuthEndpoints } from '../types.js';
import { authorizeUrl, exchangeCode, idTokenEmail, refreshTokens } from './oauth.js';
import { discoverProject } from './setup.js';

const CFG: GoogleOAuthEndpoints = {
  authorizeUrl: 'https://accounts.example/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth.example/token',
  clientId: 'cid.apps.googleusercontent.com',
  clientSecret: 'secret-1',
  redirectUri: 'https://codeassist.google.com/authcode',
  scopes: 'https://www.googleapis.com/auth/cloud-platform',
};

test('authorise URL: PKCE S256, offline access with consent (a refresh token), the authcode redirect', () => {
  const u = new URL(authorizeUrl(CFG, { challenge: 'ch', state: 'st' }));
  assert.equal(u.origin + u.pathname, CFG.authorizeUrl);
  const q = Object.fromEntries(u.searchParams);
  assert.deepEqual(q, {
    client_id: CFG.clientId,
    redirect_uri: CFG.redirectUri,
    response_type: 'code',
    scope: CFG.scopes,
    code_challenge: 'ch',
    code_challenge_method: 'S256',
    state: 'st',
    access_type: 'offline',
    prompt: 'consent',
  });
});

test('a Google code (with a slash) is accepted bare, as code#state and inside the callback URL', () => {
  assert.deepEqual(parsePastedCode('4/0AVG7fiQx-y_z'), { code: '4/0AVG7fiQx-y_z', state: null });
  assert.deepEqual(parsePastedCode('4/0AVG7#st'), { code: '4/0AVG7', state: 'st' });
  assert.deepEqual(parsePastedCode('https://codeassist.google.com/authcode?code=4%2F0AVG7&state=st'), { code: '4/0AVG7', state: 'st' });
  assert.equal(parsePastedCode('4/0A VG'), null);
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function stub(answers: { status: number; body: unknown }[]): { fetch: typeof fetch; calls: { url: string; body: string; headers: Record<string, string> }[] } {
  const calls: { url: string; body: string; headers: Record<string, string> }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: String(init.body), headers: init.headers as Record<string, string> });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)];
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

test('code exchange: form-encoded with client_secret and code_verifier; email from the id token', async () => {
  const s = stub([
    {
      status: 200,
      body: { access_token: 'ya29.a', refresh_token: '1//r', expires_in: 3599, scope: 's1 s2', id_token: `h.${b64({ email: 'me@example.com' })}.sig` },
    },
  ]);
  const t = await exchangeCode(CFG, { code: '4/0A', verifier: 'ver' }, { fetch: s.fetch, now: 1000, viaProxy: false });
  assert.deepEqual(t, { accessToken: 'ya29.a', refreshToken: '1//r', expiresAt: 1000 + 3599_000, scopes: ['s1', 's2'], email: 'me@example.com' });
  assert.equal(s.calls[0].url, CFG.tokenUrl);
  assert.match(s.calls[0].headers['content-type'], /x-www-form-urlencoded/);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(s.calls[0].body)), {
    grant_type: 'authorization_code',
    code: '4/0A',
    redirect_uri: CFG.redirectUri,
    client_id: CFG.clientId,
    client_secret: 'secret-1',
    code_verifier: 'ver',
  });
});

test('refresh: form with client_secret; no refresh token in the answer (Google does not rotate)', async () => {
  const s = stub([{ status: 200, body: { access_token: 'ya29.b', expires_in: 100 } }]);
  const t = await refreshTokens(CFG, '1//r', { fetch: s.fetch, now: 0, viaProxy: false });
  assert.deepEqual([t.accessToken, t.refreshToken, t.expiresAt], ['ya29.b', null, 100_000]);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(s.calls[0].body)), {
    grant_type: 'refresh_token',
    client_id: CFG.clientId,
    client_secret: 'secret-1',
    refresh_token: '1//r',
  });
  assert.equal(idTokenEmail('not-a-jwt'), undefined);
});

const BASE = 'https://code.example';

test('discovery: loadCodeAssist names the project → done in one call', async () => {
  const s = stub([{ status: 200, body: { currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'proj-1' } }]);
  assert.deepEqual(await discoverProject(BASE, 'tok', { fetch: s.fetch }), { projectId: 'proj-1', tier: 'free-tier', problem: null });
  assert.equal(s.calls[0].url, `${BASE}/v1internal:loadCodeAssist`);
  assert.equal(s.calls[0].headers.authorization, 'Bearer tok');
});

test('discovery: onboardUser on the default tier, polled until done', async () => {
  const s = stub([
    { status: 200, body: { allowedTiers: [{ id: 'legacy-tier' }, { id: 'free-tier', isDefault: true }] } },
    { status: 200, body: { name: 'op', done: false } },
    { status: 200, body: { name: 'op', done: false } },
    { status: 200, body: { name: 'op', done: true, response: { cloudaicompanionProject: { id: 'proj-2' } } } },
  ]);
  assert.deepEqual(await discoverProject(BASE, 'tok', { fetch: s.fetch, pollDelaysMs: [1, 1, 1] }), { projectId: 'proj-2', tier: 'free-tier', problem: null });
  assert.equal(s.calls.length, 4);
  assert.deepEqual(JSON.parse(s.calls[1].body).tierId, 'free-tier');
});

test('discovery never throws: bounded polling, a tier needing the user’s project, an HTTP error all become a problem', async () => {
  const never = stub([
    { status: 200, body: { allowedTiers: [{ id: 'free-tier', isDefault: true }] } },
    { status: 200, body: { done: false } },
  ]);
  const r1 = await discoverProject(BASE, 'tok', { fetch: never.fetch, pollDelaysMs: [1, 1] });
  assert.deepEqual([r1.projectId, never.calls.length], [null, 4]);
  assert.match(r1.problem ?? '', /did not finish/);
  const own = stub([{ status: 200, body: { currentTier: { id: 'standard-tier', userDefinedCloudaicompanionProject: true } } }]);
  assert.match((await discoverProject(BASE, 'tok', { fetch: own.fetch })).problem ?? '', /own Google Cloud project/);
  const denied = stub([{ status: 403, body: { error: { code: 403, message: 'denied' } } }]);
  assert.match((await discoverProject(BASE, 'tok', { fetch: denied.fetch })).problem ?? '', /HTTP 403: denied/);
});
