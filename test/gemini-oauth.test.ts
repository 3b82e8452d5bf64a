// Gemini CLI (Google login) accounts end to end against the fake: authorise (PKCE, the code pasted back), exchange
// (form-encoded with the client secret), the Code Assist project discovered by loadCodeAssist + onboardUser (or
// entered), Gemini-API requests carried in Code Assist's envelope and unwrapped, Gemini CLI's own /v1internal calls
// passed through with the account's project, and the token refreshed after a 401.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleGenAI } from '@google/genai';
import { createFakeUpstream, GEMINI_CLIENT_ID, type FakeUpstream } from './support/fake-upstream/index.js';
import { addGeminiOAuthAccount, authorizeGemini, geminiEnv } from './support/gemini.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { storedSecrets } from './support/oauth.js';

const hi = [{ role: 'user', parts: [{ text: 'hello code assist' }] }];

describe('Gemini CLI (Google login) accounts', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let ai: GoogleGenAI;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/gemini${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key.key, ...headers },
      body: JSON.stringify(body),
    });

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: geminiEnv(fake) });
    key = await t.createKey({ name: 'gemini oauth' });
    ai = new GoogleGenAI({ apiKey: key.key, httpOptions: { baseUrl: `${t.url}/gemini` } });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  afterEach(async () => {
    for (const a of (await t.admin('GET', '/accounts')).json.items) await t.admin('DELETE', `/accounts/${a.id}`);
    await t.relay.pool.reload();
    fake.reset();
    fake.gemini.reset();
  });

  test('authorise → exchange → onboarding finds the project → account; terms stated; meta lists both kinds', async () => {
    const s = await t.admin('POST', '/oauth/sessions', { provider: 'gemini' });
    const auth = new URL(s.json.authUrl);
    assert.equal(auth.origin + auth.pathname, `${fake.url}/o/oauth2/v2/auth`);
    assert.equal(auth.searchParams.get('client_id'), GEMINI_CLIENT_ID);
    assert.equal(auth.searchParams.get('redirect_uri'), 'https://codeassist.google.com/authcode');
    assert.equal(auth.searchParams.get('access_type'), 'offline');
    assert.match(auth.searchParams.get('scope') ?? '', /cloud-platform/);
    assert.match(s.json.terms, /Google/);
    const code = fake.gemini.oauth.authorize(s.json.authUrl);
    const x = await t.admin('POST', `/oauth/sessions/${s.json.sessionId}/exchange`, {
      code: `https://codeassist.google.com/authcode?code=${encodeURIComponent(code)}&state=${auth.searchParams.get('state')}`,
    });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.deepEqual([x.json.identity.email, x.json.identity.org, x.json.identity.plan], ['gemini-user@example.com', 'fake-project-12345', 'free-tier']);
    assert.deepEqual(fake.gemini.calls, { loadCodeAssist: 1, onboardUser: 2 }, 'onboarding polled until done');
    const r = await t.admin('POST', '/accounts', { kind: 'gemini-oauth', name: 'google', oauthSessionId: s.json.sessionId });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(r.json.identity, { email: 'gemini-user@example.com', org: 'fake-project-12345', plan: 'free-tier' });
    assert.equal(r.json.baseUrl, fake.url);
    const { secrets } = await storedSecrets(t, r.json.id);
    assert.match(secrets.refreshToken, /^1\/\//);
    const meta = (await t.admin('GET', '/meta')).json;
    const kinds = meta.accountKinds.filter((k: any) => k.kind.startsWith('gemini'));
    assert.deepEqual(
      kinds.map((k: any) => [k.kind, k.protocol, k.oauth]),
      [
        ['gemini-api', 'gemini', false],
        ['gemini-oauth', 'gemini', true],
      ],
    );
    assert.ok(kinds[1].credentialFields.some((f: any) => f.name === 'projectId' && f.required));
  });

  test('a tier that needs the user’s own project: the exchange says so, creating asks for projectId, then takes it', async () => {
    fake.gemini.codeAssist.userDefinedProject = true;
    fake.gemini.codeAssist.tier = 'standard-tier';
    const { sessionId, identity } = await authorizeGemini(t, fake);
    assert.equal(identity.org, undefined);
    assert.match(identity.note, /own Google Cloud project/);
    const missing = await t.admin('POST', '/accounts', { kind: 'gemini-oauth', name: 'g', oauthSessionId: sessionId });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.json), /projectId/);
    const ok = await t.admin('POST', '/accounts', { kind: 'gemini-oauth', name: 'g', oauthSessionId: sessionId, projectId: 'fake-project-12345' });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.identity.org, 'fake-project-12345');
  });

  test('the Gemini SDK on a gemini-oauth account: wrapped for Code Assist, answers unwrapped, usage recorded', async () => {
    await addGeminiOAuthAccount(t, fake);
    fake.enqueue({ kind: 'gemini_reply', text: 'wrapped fine', usage: { promptTokenCount: 20, candidatesTokenCount: 2 } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: hi, config: { temperature: 0.2 } });
    assert.equal(r.text, 'wrapped fine');
    const up = fake.requests.find((x) => x.path === '/v1internal:generateContent')!;
    assert.match(up.headers.authorization, /^Bearer ya29\./);
    assert.equal(up.headers['x-goog-api-key'], undefined);
    assert.deepEqual(Object.keys(up.json).sort(), ['model', 'project', 'request']);
    assert.deepEqual([up.json.model, up.json.project], ['gemini-2.5-pro', 'fake-project-12345']);
    assert.deepEqual(up.json.request.generationConfig, { temperature: 0.2 });
    let text = '';
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: hi })) text += c.text ?? '';
    assert.equal(text, 'echo: hello code assist');
    const streamed = fake.requests.find((x) => x.path === '/v1internal:streamGenerateContent')!;
    assert.deepEqual(streamed.query, { alt: 'sse' });
    const arr = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.key },
      body: JSON.stringify({ contents: hi }),
    });
    const parts = ((await arr.json()) as any[]).map((c) => c.candidates[0].content?.parts?.[0]?.text ?? '');
    assert.equal(parts.join(''), 'echo: hello code assist', 'the JSON-array stream unwrapped element by element');
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: hi });
    assert.ok((count.totalTokens ?? 0) > 0);
    assert.equal(fake.requests.find((x) => x.path === '/v1internal:countTokens')!.json.request.model, 'models/gemini-2.5-flash');
    const rows = await t.recorded(key.id, 3);
    assert.deepEqual([rows.at(-1)!.usage?.input, rows.at(-1)!.usage?.output], [20, 2]);
    assert.ok(rows.every((x) => x.costNanos > 0));
  });

  test('Gemini CLI’s own Code Assist calls pass through, pointed at the serving account’s project', async () => {
    await addGeminiOAuthAccount(t, fake);
    const load = await post(
      '/v1internal:loadCodeAssist',
      { cloudaicompanionProject: 'client-project', metadata: { pluginType: 'GEMINI', duetProject: 'client-project' } },
      { 'user-agent': 'GeminiCLI/0.61.0/gemini-2.5-flash (linux; x64)' },
    );
    assert.equal(load.status, 200);
    assert.equal(((await load.json()) as any).cloudaicompanionProject, 'fake-project-12345');
    const sentLoad = fake.requests.at(-1)!.json;
    assert.deepEqual([sentLoad.cloudaicompanionProject, sentLoad.metadata.duetProject], ['fake-project-12345', 'fake-project-12345']);

    const body = { model: 'gemini-2.5-pro', project: 'client-project', user_prompt_id: 'p1', request: { ...{ contents: hi }, session_id: 'cli-session-1' } };
    const g = await post('/v1internal:generateContent', body);
    assert.equal(g.status, 200);
    const j = (await g.json()) as any;
    assert.equal(j.response.candidates[0].content.parts[0].text, 'echo: hello code assist', 'the envelope stays for a Code Assist client');
    assert.equal(typeof j.traceId, 'string');
    assert.equal(fake.requests.at(-1)!.json.project, 'fake-project-12345');
    assert.equal(fake.requests.at(-1)!.json.user_prompt_id, 'p1');

    const s = await post('/v1internal:streamGenerateContent?alt=sse', body);
    const events = (await s.text()).split('\n\n').filter(Boolean);
    assert.ok(events.length > 1 && events.every((e) => e.startsWith('data: ') && JSON.parse(e.slice(6)).response));
    const c = await post('/v1internal:countTokens', { request: { model: 'models/gemini-2.5-pro', contents: hi } });
    assert.ok(((await c.json()) as any).totalTokens > 0);
    const rows = await t.recorded(key.id, 2);
    assert.equal(rows[0].endpoint, '/v1internal:streamGenerateContent');
  });

  test('an expired access token: 401 from Code Assist → one refresh (form, with the client secret) → the request succeeds', async () => {
    const { id } = await addGeminiOAuthAccount(t, fake);
    const before = (await storedSecrets(t, id)).secrets;
    fake.gemini.oauth.expireAccessToken();
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: hi });
    assert.equal(r.text, 'echo: hello code assist');
    assert.equal(fake.gemini.oauth.refreshCalls, 1);
    const tokenCall = fake.requests.find((x) => x.path === '/token' && x.body.toString().includes('refresh_token'))!;
    assert.match(tokenCall.headers['content-type'], /x-www-form-urlencoded/);
    const after = (await storedSecrets(t, id)).secrets;
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(after.refreshToken, before.refreshToken, 'Google keeps the refresh token');
    assert.equal(after.projectId, 'fake-project-12345');
    assert.equal((await t.admin('GET', `/accounts/${id}`)).json.health.state, 'healthy');
  });

  test('429 RESOURCE_EXHAUSTED from Code Assist (quotaResetDelay) fails over to a gemini-api account', async () => {
    const { id } = await addGeminiOAuthAccount(t, fake, { priority: 1 });
    await t.addAccount(fake.url, { kind: 'gemini-api', name: 'api', apiKey: 'AIzaSyFallback-0000000000', priority: 2 });
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 120 }, { endpoint: 'gemini_generate', apiKey: 'gemini-user@example.com' });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'failover please' }] }] });
    assert.equal(r.text, 'echo: failover please');
    assert.deepEqual(
      fake.requests
        .filter((x) => x.method === 'POST' && x.path !== '/token')
        .map((x) => x.path)
        .slice(-2),
      ['/v1internal:generateContent', '/v1beta/models/gemini-2.5-flash:generateContent'],
    );
    const h = (await t.admin('GET', `/accounts/${id}`)).json.health;
    assert.equal(h.state, 'rate_limited');
    assert.ok(Date.parse(h.reasons[0].until) > Date.now() + 100_000);
  });

  test('the admin test button works through the envelope', async () => {
    const { id } = await addGeminiOAuthAccount(t, fake);
    const r = await t.admin('POST', `/accounts/${id}/test`, { model: 'gemini-2.5-flash', prompt: 'ping' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.ok, true, JSON.stringify(r.json));
    assert.equal(r.json.text, 'echo: ping');
  });
});
