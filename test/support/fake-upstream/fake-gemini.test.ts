// Self-tests of the fake's Gemini personality: the Developer API (auth, JSON, SSE framing, JSON-array stream,
// countTokens, models, validation, faults), Google's token endpoint and the Code Assist backend.
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, FAKE_GEMINI_CLIENT_SECRET, GEMINI_CLIENT_ID, GEMINI_DEFAULT_SIGNATURE, type FakeUpstream } from './index.js';

const KEY = 'AIzaSyFakeKey0123456789';
const hi = { contents: [{ role: 'user', parts: [{ text: 'hi there' }] }] };

describe('fake upstream: Gemini personality', () => {
  let fake: FakeUpstream;
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': KEY }) =>
    fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  before(async () => {
    fake = await createFakeUpstream();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.gemini.reset();
  });

  test('generateContent: x-goog-api-key or ?key=, echo text, STOP, usage with totals', async () => {
    for (const [path, headers] of [
      ['/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': KEY }],
      [`/v1beta/models/gemini-2.5-flash:generateContent?key=${KEY}`, {}],
    ] as const) {
      const r = await post(path, hi, headers);
      assert.equal(r.status, 200);
      const j = (await r.json()) as any;
      assert.deepEqual(j.candidates[0].content, { parts: [{ text: 'echo: hi there' }], role: 'model' });
      assert.equal(j.candidates[0].finishReason, 'STOP');
      assert.equal(j.modelVersion, 'gemini-2.5-flash');
      const u = j.usageMetadata;
      assert.equal(u.totalTokenCount, u.promptTokenCount + u.candidatesTokenCount);
    }
  });

  test('bad key: 400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID; no key: 403', async () => {
    const bad = await post('/v1beta/models/gemini-2.5-flash:generateContent', hi, { 'x-goog-api-key': 'nope' });
    assert.equal(bad.status, 400);
    const e = ((await bad.json()) as any).error;
    assert.equal(e.status, 'INVALID_ARGUMENT');
    assert.equal(e.details[0].reason, 'API_KEY_INVALID');
    assert.match(e.message, /API key not valid/);
    assert.equal((await post('/v1beta/models/gemini-2.5-flash:generateContent', hi, {})).status, 403);
  });

  test('SSE: `data: ` and a blank line per event, text deltas, finishReason and full usage on the last event', async () => {
    const r = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', hi);
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const text = await r.text();
    assert.ok(text.endsWith('\n\n') && !text.includes('\r'));
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((e) => (assert.ok(e.startsWith('data: ')), JSON.parse(e.slice(6))));
    assert.equal(events.map((e) => e.candidates[0].content.parts.map((p: any) => p.text).join('')).join(''), 'echo: hi there');
    assert.equal(events.at(-1).candidates[0].finishReason, 'STOP');
    assert.ok(events.slice(0, -1).every((e) => e.candidates[0].finishReason === undefined));
    assert.ok(events.at(-1).usageMetadata.candidatesTokenCount > 0);
  });

  test('SSE knobs: CRLF framing, no space after data:, error event, drop', async () => {
    fake.enqueue({ kind: 'gemini_reply', stream: { crlf: true } });
    assert.match(await (await post('/v1beta/models/m:streamGenerateContent?alt=sse', hi)).text(), /^data: \{.*\}\r\n\r\n/);
    fake.enqueue({ kind: 'gemini_reply', stream: { noSpace: true } });
    assert.match(await (await post('/v1beta/models/m:streamGenerateContent?alt=sse', hi)).text(), /^data:\{/);
    fake.enqueue({ kind: 'gemini_reply', stream: { errorAfterEvents: 1 } });
    const withError = (await (await post('/v1beta/models/m:streamGenerateContent?alt=sse', hi)).text()).split('\n\n').filter(Boolean);
    assert.equal(withError.length, 2);
    assert.equal(JSON.parse(withError[1].slice(6)).error.status, 'INTERNAL');
    fake.enqueue({ kind: 'gemini_reply', stream: { dropAfterEvents: 1 } });
    await assert.rejects(async () => (await post('/v1beta/models/m:streamGenerateContent?alt=sse', hi)).text());
  });

  test('without alt=sse the stream is a JSON array; countTokens; model list and detail', async () => {
    const arr = (await (await post('/v1beta/models/m:streamGenerateContent', hi)).json()) as any[];
    assert.ok(Array.isArray(arr) && arr.length >= 2);
    assert.equal(arr.at(-1).candidates[0].finishReason, 'STOP');
    const c = (await (await post('/v1beta/models/m:countTokens', hi)).json()) as any;
    assert.ok(c.totalTokens > 0);
    const viaRequest = (await (await post('/v1beta/models/m:countTokens', { generateContentRequest: { model: 'models/m', ...hi } })).json()) as any;
    assert.equal(viaRequest.totalTokens, c.totalTokens);
    const list = (await (await fetch(`${fake.url}/v1beta/models`, { headers: { 'x-goog-api-key': KEY } })).json()) as any;
    assert.ok(list.models.some((m: any) => m.name === 'models/gemini-2.5-flash'));
    assert.equal((await fetch(`${fake.url}/v1beta/models/nope?key=${KEY}`)).status, 404);
  });

  test('validation like Google: unknown fields, empty parts, string function responses', async () => {
    const cases: unknown[] = [
      { ...hi, model: 'x' },
      { contents: [{ role: 'user', parts: [] }] },
      { contents: [] },
      { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: 'x' } }] }] },
    ];
    for (const body of cases) assert.equal((await post('/v1beta/models/m:generateContent', body)).status, 400, JSON.stringify(body));
  });

  test('function_call scenario: one call per declared function, with a thought signature; signatures enforced for gemini-3 when asked', async () => {
    const tools = [
      { functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } }] },
    ];
    fake.enqueue({ kind: 'gemini_reply', scenario: 'function_call' });
    const j = (await (await post('/v1beta/models/gemini-3-pro-preview:generateContent', { ...hi, tools })).json()) as any;
    assert.deepEqual(j.candidates[0].content.parts, [
      { functionCall: { name: 'get_weather', args: { city: 'sample-city' } }, thoughtSignature: GEMINI_DEFAULT_SIGNATURE },
    ]);
    fake.gemini.requireThoughtSignatures = true;
    const replay = {
      contents: [
        ...hi.contents,
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { t: 1 } } }] },
      ],
      tools,
    };
    const r = await post('/v1beta/models/gemini-3-pro-preview:generateContent', replay);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as any).error.message, /thought_signature/);
    assert.equal((await post('/v1beta/models/gemini-2.5-flash:generateContent', replay)).status, 200, 'only gemini-3 models enforce it');
  });

  test('429 from the queue: RESOURCE_EXHAUSTED with RetryInfo.retryDelay, per key', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 37 }, { apiKey: KEY });
    const r = await post('/v1beta/models/m:generateContent', hi);
    assert.equal(r.status, 429);
    const e = ((await r.json()) as any).error;
    assert.equal(e.status, 'RESOURCE_EXHAUSTED');
    assert.ok(e.details.some((d: any) => d.retryDelay === '37s'));
    assert.ok(e.details.some((d: any) => d.reason === 'RATE_LIMIT_EXCEEDED'));
    assert.equal((await post('/v1beta/models/m:generateContent', hi)).status, 200);
  });

  test('Google OAuth + Code Assist: code exchange, onboarding LRO, wrapped answers, project check, refresh', async () => {
    const verifier = 'v'.repeat(43);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authUrl = `https://accounts.example/auth?client_id=${GEMINI_CLIENT_ID}&redirect_uri=https%3A%2F%2Fcodeassist.google.com%2Fauthcode&response_type=code&scope=s&code_challenge=${challenge}&code_challenge_method=S256&state=st&access_type=offline`;
    const code = fake.gemini.oauth.authorize(authUrl);
    assert.match(code, /^4\//);
    const form = (f: Record<string, string>) =>
      fetch(`${fake.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f).toString() });
    const base = { client_id: GEMINI_CLIENT_ID, client_secret: FAKE_GEMINI_CLIENT_SECRET };
    assert.equal(
      (
        await form({
          ...base,
          client_secret: 'wrong',
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://codeassist.google.com/authcode',
          code_verifier: verifier,
        })
      ).status,
      401,
    );
    const t = (await (
      await form({ ...base, grant_type: 'authorization_code', code, redirect_uri: 'https://codeassist.google.com/authcode', code_verifier: verifier })
    ).json()) as any;
    assert.match(t.access_token, /^ya29\./);
    assert.match(t.refresh_token, /^1\/\//);
    const bearer = { authorization: `Bearer ${t.access_token}` };
    assert.equal((await post('/v1internal:loadCodeAssist', { metadata: {} }, {})).status, 401);
    const load = (await (await post('/v1internal:loadCodeAssist', { metadata: {} }, bearer)).json()) as any;
    assert.equal(load.cloudaicompanionProject, undefined);
    assert.equal(load.allowedTiers[0].id, 'free-tier');
    assert.deepEqual(await (await post('/v1internal:onboardUser', { tierId: 'free-tier' }, bearer)).json(), { name: 'operations/onboard-fake-1', done: false });
    const done = (await (await post('/v1internal:onboardUser', { tierId: 'free-tier' }, bearer)).json()) as any;
    assert.equal(done.response.cloudaicompanionProject.id, 'fake-project-12345');
    const wrapped = (await (
      await post('/v1internal:generateContent', { model: 'gemini-2.5-pro', project: 'fake-project-12345', request: hi }, bearer)
    ).json()) as any;
    assert.equal(wrapped.response.candidates[0].content.parts[0].text, 'echo: hi there');
    assert.equal(typeof wrapped.traceId, 'string');
    const sse = await (
      await post('/v1internal:streamGenerateContent?alt=sse', { model: 'gemini-2.5-pro', project: 'fake-project-12345', request: hi }, bearer)
    ).text();
    assert.ok(
      sse
        .split('\n\n')
        .filter(Boolean)
        .every((e) => JSON.parse(e.slice(6)).response.candidates),
    );
    assert.equal((await post('/v1internal:generateContent', { model: 'gemini-2.5-pro', project: 'other', request: hi }, bearer)).status, 403);
    assert.equal(
      (await post('/v1internal:generateContent', { model: 'gemini-2.5-pro', project: 'fake-project-12345', request: { ...hi, model: 'x' } }, bearer)).status,
      400,
    );
    const count = (await (await post('/v1internal:countTokens', { request: { model: 'models/gemini-2.5-pro', ...hi } }, bearer)).json()) as any;
    assert.ok(count.totalTokens > 0);
    const r = (await (await form({ ...base, grant_type: 'refresh_token', refresh_token: t.refresh_token })).json()) as any;
    assert.match(r.access_token, /^ya29\./);
    assert.equal(r.refresh_token, undefined, 'Google does not rotate refresh tokens');
    assert.equal(fake.gemini.oauth.refreshCalls, 1);
  });
});
