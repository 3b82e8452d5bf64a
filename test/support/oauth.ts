// Subscription OAuth in tests: the relay's OAuth endpoints pointed at the fake, and the operator's whole
// "add a Claude account" flow (start → sign in at the fake → paste the code → create the account).
import assert from 'node:assert/strict';
import type { FakeUpstream } from './fake-upstream/index.js';
import type { TestRelay } from './harness.js';

/** Environment that points the relay's Anthropic API and Claude OAuth endpoints at the fake. */
export function oauthEnv(fake: FakeUpstream): Record<string, string> {
  return {
    ANTHROPIC_API_URL: fake.url,
    CLAUDE_OAUTH_AUTHORIZE_URL: `${fake.url}/oauth/authorize`,
    CLAUDE_OAUTH_TOKEN_URL: `${fake.url}/v1/oauth/token`,
    CLAUDE_OAUTH_USAGE_URL: `${fake.url}/api/oauth/usage`,
    CLAUDE_OAUTH_PROFILE_URL: `${fake.url}/api/oauth/profile`,
  };
}

/** Starts a session and exchanges the code the fake shows; returns the session id and identity. */
export async function authorizeAtFake(t: TestRelay, fake: FakeUpstream, exchangeOn: TestRelay = t): Promise<{ sessionId: string; identity: any }> {
  const s = await t.admin('POST', '/oauth/sessions', { provider: 'claude' });
  assert.equal(s.status, 201, JSON.stringify(s.json));
  const pasted = fake.oauth.authorize(s.json.authUrl);
  const x = await exchangeOn.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, { code: pasted });
  assert.equal(x.status, 200, JSON.stringify(x.json));
  return { sessionId: s.json.sessionId, identity: x.json.identity };
}

/** The whole flow; the account exists (and is in the relay's pool) when it returns. */
export async function addOAuthAccount(t: TestRelay, fake: FakeUpstream, body: Record<string, unknown> = {}): Promise<{ id: string; view: any }> {
  const { sessionId } = await authorizeAtFake(t, fake);
  const r = await t.admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'claude max', oauthSessionId: sessionId, ...body });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  await t.relay.pool.reload();
  return { id: r.json.id, view: r.json };
}

/** The account's credentials as stored (opened with the relay's key). */
export async function storedSecrets(t: TestRelay, accountId: string): Promise<{ sealed: string; secrets: any }> {
  const a = await t.relay.store.accounts.get(accountId);
  assert.ok(a, 'account exists');
  return { sealed: a.secrets, secrets: JSON.parse(t.relay.secrets.open(a.secrets)) };
}

/** Waits until `check` passes (or throws its last failure after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Environment that points the relay's OpenAI API, Codex backend and OpenAI OAuth endpoints at the fake. */
export function openaiEnv(fake: FakeUpstream): Record<string, string> {
  return {
    OPENAI_API_URL: `${fake.url}/v1`,
    CODEX_API_URL: `${fake.url}/backend-api/codex`,
    OPENAI_OAUTH_AUTHORIZE_URL: `${fake.url}/oauth/authorize`,
    OPENAI_OAUTH_TOKEN_URL: `${fake.url}/oauth/token`,
  };
}
