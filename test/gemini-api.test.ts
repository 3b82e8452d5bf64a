// End to end: the official Gemini SDK (@google/genai) → the relay's /gemini surface → a gemini-api account on the
// fake, and back: generate, stream (SSE framing as Gemini CLI needs it), countTokens, the key in every form it
// may come, usage and cost, failover on RESOURCE_EXHAUSTED, errors in Google's shape.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiError, GoogleGenAI } from '@google/genai';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';

const KEY_A = 'AIzaSyAccountA-000000000000';
const KEY_B = 'AIzaSyAccountB-000000000000';
const hi = [{ role: 'user', parts: [{ text: 'hello gemini' }] }];

describe('Gemini SDK on a gemini-api account', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let ai: GoogleGenAI;
  let ids: { a: string; b: string };

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay();
    ids = {
      a: (await t.addAccount(fake.url, { kind: 'gemini-api', name: 'gemini A', apiKey: KEY_A, priority: 1 })).id,
      b: (await t.addAccount(fake.url, { kind: 'gemini-api', name: 'gemini B', apiKey: KEY_B, priority: 2 })).id,
    };
    key = await t.createKey({ name: 'gemini' });
    ai = new GoogleGenAI({ apiKey: key.key, httpOptions: { baseUrl: `${t.url}/gemini` } });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    fake.gemini.reset();
    for (const id of Object.values(ids)) await t.admin('POST', `/accounts/${id}/reset-health`);
  });

  test('generateContent: the account key goes upstream (never the relay key), usage and cost are recorded', async () => {
    fake.enqueue({
      kind: 'gemini_reply',
      text: 'Bonjour!',
      usage: { promptTokenCount: 1200, cachedContentTokenCount: 1000, candidatesTokenCount: 3, thoughtsTokenCount: 40 },
    });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: hi, config: { systemInstruction: 'Be terse.' } });
    assert.equal(r.text, 'Bonjour!');
    assert.equal(r.usageMetadata?.promptTokenCount, 1200);
    const up = fake.requests[0];
    assert.equal(up.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(up.headers['x-goog-api-key'], KEY_A);
    assert.equal(up.headers.authorization, undefined);
    assert.deepEqual(up.query, {});
    assert.deepEqual(up.json.systemInstruction, { parts: [{ text: 'Be terse.' }], role: 'user' });
    const [row] = await t.recorded(key.id);
    assert.equal(row.endpoint, '/v1beta/models:generateContent');
    assert.equal(row.accountId, ids.a);
    assert.equal(row.model, 'gemini-2.5-flash');
    assert.deepEqual([row.usage?.input, row.usage?.cacheRead, row.usage?.output], [200, 1000, 43], 'input excludes cached; output = candidates + thoughts');
    // gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out per MTok
    assert.equal(row.costNanos, 200 * 300 + 1000 * 30 + 43 * 2500);
  });

  test('generateContentStream: alt=sse upstream, deltas pass through, the last usage is recorded once', async () => {
    fake.enqueue({ kind: 'gemini_reply', text: 'one two three four', usage: { promptTokenCount: 9 } });
    let text = '';
    let finish: string | undefined;
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: hi })) {
      text += c.text ?? '';
      finish = c.candidates?.[0]?.finishReason ?? finish;
    }
    assert.equal(text, 'one two three four');
    assert.equal(finish, 'STOP');
    assert.equal(fake.requests[0].path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    assert.deepEqual(fake.requests[0].query, { alt: 'sse' });
    const [row] = await t.recorded(key.id);
    assert.equal(row.stream, true);
    assert.deepEqual([row.usage?.input, row.usage?.output], [9, 4]);
    assert.equal(row.status, 200);
  });

  test('CRLF-framed and finely chunked upstream streams reach the SDK intact', async () => {
    fake.enqueue({ kind: 'gemini_reply', text: 'Zürich ✓ 😀 done', stream: { crlf: true, chunking: 'random', seed: 7 } });
    let text = '';
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: hi })) text += c.text ?? '';
    assert.equal(text, 'Zürich ✓ 😀 done');
  });

  test('streamGenerateContent without alt=sse: the JSON-array form passes through and its last usage is recorded', async () => {
    fake.enqueue({ kind: 'gemini_reply', text: 'array form', usage: { promptTokenCount: 6 } });
    const r = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.key },
      body: JSON.stringify({ contents: hi }),
    });
    const arr = (await r.json()) as any[];
    assert.equal(arr.map((c) => c.candidates[0].content?.parts?.[0]?.text ?? '').join(''), 'array form');
    assert.deepEqual(fake.requests[0].query, {});
    const [row] = await t.recorded(key.id);
    assert.deepEqual([row.usage?.input, row.usage?.output, row.endpoint], [6, 2, '/v1beta/models:streamGenerateContent']);
  });

  test('a stream whose first event is an error fails over before anything reaches the client', async () => {
    fake.enqueue({ kind: 'gemini_reply', stream: { errorAfterEvents: 0 } }, { apiKey: KEY_A });
    let text = '';
    for await (const c of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: 'first event fails' }] }],
    }))
      text += c.text ?? '';
    assert.equal(text, 'echo: first event fails');
    assert.deepEqual(
      fake.requests.map((x) => x.headers['x-goog-api-key']),
      [KEY_A, KEY_B],
    );
    assert.equal((await t.admin('GET', `/accounts/${ids.a}`)).json.health.state, 'server_error');
  });

  test('countTokens answers from the upstream and records no usage', async () => {
    fake.enqueue({ kind: 'gemini_reply', totalTokens: 77 }, { endpoint: 'gemini_count_tokens' });
    const before = (await t.recorded(key.id, 0)).length;
    const r = await ai.models.countTokens({ model: 'gemini-2.5-pro', contents: hi });
    assert.equal(r.totalTokens, 77);
    assert.equal(fake.requests[0].path, '/v1beta/models/gemini-2.5-pro:countTokens');
    assert.equal((await t.recorded(key.id, 0)).length, before);
  });

  test('the relay key is accepted as ?key= and as a bearer token, and is never forwarded; /v1 works too', async () => {
    const body = JSON.stringify({ contents: hi });
    const viaQuery = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${key.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(viaQuery.status, 200);
    const sse = await viaQuery.text();
    assert.ok(sse.startsWith('data: {') && sse.endsWith('\n\n'), 'Gemini CLI framing: `data: ` and a blank line');
    assert.deepEqual(fake.requests[0].query, { alt: 'sse' }, 'only alt goes upstream');
    const viaBearer = await fetch(`${t.url}/gemini/v1/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
      body,
    });
    assert.equal(viaBearer.status, 200);
    assert.equal(fake.requests[1].path, '/v1beta/models/gemini-2.5-flash:generateContent');
    for (const r of fake.requests) assert.ok(!JSON.stringify(r.headers).includes(key.key) && !JSON.stringify(r.query).includes(key.key));
  });

  test('relay errors are Google-shaped: bad key 401 UNAUTHENTICATED, unknown method 404, bad JSON 400', async () => {
    const bad = new GoogleGenAI({ apiKey: 'cr_' + '0'.repeat(64), httpOptions: { baseUrl: `${t.url}/gemini` } });
    await assert.rejects(bad.models.generateContent({ model: 'gemini-2.5-flash', contents: hi }), (e: ApiError) => {
      assert.equal(e.status, 401);
      assert.match(e.message, /UNAUTHENTICATED/);
      return true;
    });
    const nokey = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body: '{}' });
    assert.equal(nokey.status, 401);
    assert.match(((await nokey.json()) as any).error.message, /x-goog-api-key/);
    const h = { 'x-goog-api-key': key.key, 'content-type': 'application/json' };
    const unknown = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:embedContent`, { method: 'POST', headers: h, body: '{}' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as any).error.status, 'NOT_FOUND');
    const badJson = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', headers: h, body: '{' });
    const e = ((await badJson.json()) as any).error;
    assert.deepEqual([badJson.status, e.code, e.status], [400, 400, 'INVALID_ARGUMENT']);
  });

  test('model list and detail, filtered by the key', async () => {
    const h = { 'x-goog-api-key': key.key };
    const list = (await (await fetch(`${t.url}/gemini/v1beta/models`, { headers: h })).json()) as any;
    assert.ok(list.models.some((m: any) => m.name === 'models/gemini-2.5-flash'));
    const restricted = await t.createKey({
      name: 'flash only',
      enableModelRestriction: true,
      modelRestrictionMode: 'whitelist',
      restrictedModels: ['gemini-2.5-flash'],
    });
    const only = (await (await fetch(`${t.url}/gemini/v1beta/models?key=${restricted.key}`)).json()) as any;
    assert.deepEqual(
      only.models.map((m: any) => m.name),
      ['models/gemini-2.5-flash'],
    );
    assert.equal((await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-pro?key=${restricted.key}`)).status, 404);
  });

  test('failover on 429 RESOURCE_EXHAUSTED: the next account answers, the first cools down until its retryDelay', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 37 }, { apiKey: KEY_A });
    const started = Date.now();
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: hi });
    assert.equal(r.text, 'echo: hello gemini');
    assert.deepEqual(
      fake.requests.map((x) => x.headers['x-goog-api-key']),
      [KEY_A, KEY_B],
    );
    const a = (await t.admin('GET', `/accounts/${ids.a}`)).json.health;
    assert.equal(a.state, 'rate_limited');
    const until = Date.parse(a.reasons[0].until);
    assert.ok(until >= started + 36_000 && until <= Date.now() + 38_000, `until ${a.reasons[0].until}`);
    // While A cools down, B serves directly.
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: hi });
    assert.equal(fake.requests[2].headers['x-goog-api-key'], KEY_B);
    const [row] = await t.recorded(key.id);
    assert.equal(row.accountId, ids.b);
  });

  // A fresh conversation each (a sticky one would go straight to the account that answered last).
  const fresh = (text: string) => [{ role: 'user', parts: [{ text }] }];

  test('an invalid account key (400 API_KEY_INVALID) marks it unauthorized and fails over', async () => {
    fake.gemini.apiKeys = [KEY_B];
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: fresh('key check') });
    assert.equal(r.text, 'echo: key check');
    assert.equal((await t.admin('GET', `/accounts/${ids.a}`)).json.health.state, 'unauthorized');
  });

  test('a 403 PERMISSION_DENIED cools the account down without blocking it; a suspended consumer blocks it', async () => {
    fake.enqueue({ kind: 'error', status: 403 }, { apiKey: KEY_A });
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: fresh('permission one') });
    assert.equal((await t.admin('GET', `/accounts/${ids.a}`)).json.health.state, 'forbidden');
    await t.admin('POST', `/accounts/${ids.a}/reset-health`);
    fake.enqueue({ kind: 'error', status: 403, code: 'CONSUMER_SUSPENDED', message: 'Permission denied: Consumer has been suspended.' }, { apiKey: KEY_A });
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: fresh('permission two') });
    assert.equal((await t.admin('GET', `/accounts/${ids.a}`)).json.health.state, 'blocked');
  });

  test('a request error (400 INVALID_ARGUMENT) is not retried and reaches the client as Google sent it', async () => {
    fake.enqueue({ kind: 'error', status: 400, message: 'Invalid value at generation_config.temperature' });
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: hi }), (e: ApiError) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /generation_config\.temperature/);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });
});
