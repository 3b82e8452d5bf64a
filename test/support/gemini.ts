// Gemini in tests: the relay's Gemini API, Code Assist and Google OAuth endpoints pointed at the fake, and the
// operator's "add a Gemini CLI (Google login) account" flow (start → sign in at the fake → paste → create).
import assert from 'node:assert/strict';
import { FAKE_GEMINI_CLIENT_SECRET, type FakeUpstream } from './fake-upstream/index.js';
import type { TestRelay } from './harness.js';

export function geminiEnv(fake: FakeUpstream): Record<string, string> {
  return {
    GEMINI_API_URL: fake.url,
    CODE_ASSIST_API_URL: fake.url,
    GEMINI_OAUTH_AUTHORIZE_URL: `${fake.url}/o/oauth2/v2/auth`,
    GEMINI_OAUTH_TOKEN_URL: `${fake.url}/token`,
    GEMINI_OAUTH_CLIENT_SECRET: FAKE_GEMINI_CLIENT_SECRET,
  };
}

/** Starts a session with provider 'gemini', signs in at the fake and exchanges the code it shows. */
export async function authorizeGemini(t: TestRelay, fake: FakeUpstream): Promise<{ sessionId: string; authUrl: string; terms: string; identity: any }> {
  const s = await t.admin('POST', '/oauth/sessions', { provider: 'gemini' });
  assert.equal(s.status, 201, JSON.stringify(s.json));
  const code = fake.gemini.oauth.authorize(s.json.authUrl);
  const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code });
  assert.equal(x.status, 200, JSON.stringify(x.json));
  return { sessionId: s.json.sessionId, authUrl: s.json.authUrl, terms: s.json.terms, identity: x.json.identity };
}

/** The whole flow; the account exists (and is in the pool) when it returns. */
export async function addGeminiOAuthAccount(t: TestRelay, fake: FakeUpstream, body: Record<string, unknown> = {}): Promise<{ id: string; view: any }> {
  const { sessionId } = await authorizeGemini(t, fake);
  const r = await t.admin('POST', '/accounts', { kind: 'gemini-oauth', name: 'google login', oauthSessionId: sessionId, ...body });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  await t.relay.pool.reload();
  return { id: r.json.id, view: r.json };
}
