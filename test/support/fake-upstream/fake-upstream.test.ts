// Drives the fake upstream with the official Anthropic SDK: if the SDK is happy, the fake speaks the real protocol.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { countInputTokens, countOutputTokens, createFakeUpstream, type FakeUpstream, MODELS } from './index.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => fake.reset());
after(() => fake.close());

const sdk = (apiKey = 'sk-ant-test'): Anthropic => new Anthropic({ baseURL: fake.url, apiKey, maxRetries: 0 });
const USER_TEXT = 'Grüße aus Köln — 天気 😀 please';
const params = (extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({
  model: 'claude-opus-4-8',
  max_tokens: 256,
  system: 'You are terse.',
  messages: [{ role: 'user' as const, content: USER_TEXT }],
  ...extra,
});
const HEADERS = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const json = async (res: Response): Promise<any> => res.json();
const post = (path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(fake.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('non-stream text: echo, model, ids, deterministic usage, headers', async () => {
  const { data: msg, response } = await sdk().messages.create(params()).withResponse();
  assert.match(msg.id, /^msg_01/);
  assert.equal(msg.model, 'claude-opus-4-8');
  assert.deepEqual(msg.content, [{ type: 'text', text: `echo: ${USER_TEXT}` }]);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.deepEqual(msg.usage, {
    input_tokens: countInputTokens(params()),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: countOutputTokens(msg.content),
    service_tier: 'standard',
  });
  assert.match(response.headers.get('request-id') ?? '', /^req_/);
  assert.match(response.headers.get('anthropic-organization-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(response.headers.get('anthropic-ratelimit-requests-limit'), '4000');
  assert.match(response.headers.get('anthropic-ratelimit-tokens-reset') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

for (const chunking of ['event', 'random', 'byte', 7] as const) {
  test(`stream with ${chunking} chunking reconstructs the non-stream message`, async () => {
    const expected = await sdk().messages.create(params());
    fake.enqueue({ kind: 'reply', stream: { chunking, pings: 2 } });
    const stream = sdk().messages.stream(params());
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, expected.content);
    assert.deepEqual(final.usage, expected.usage);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(fake.requests.at(-1)?.json.stream, true);
  });
}

test('tool_use stream: text then tool_use with input from the first tool, "" first fragment', async () => {
  const tools = [
    {
      name: 'lookup',
      description: 'd',
      input_schema: { type: 'object' as const, properties: { q: { type: 'string' }, n: { type: 'integer' } }, required: ['q', 'n'] },
    },
  ];
  fake.enqueue({ kind: 'reply', scenario: 'tool_use' });
  const stream = sdk().messages.stream(params({ tools }));
  const fragments: string[] = [];
  stream.on('streamEvent', (e) => {
    if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') fragments.push(e.delta.partial_json);
  });
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, 'tool_use');
  assert.deepEqual(
    final.content.map((b) => b.type),
    ['text', 'tool_use'],
  );
  const call = final.content[1] as Anthropic.ToolUseBlock;
  assert.equal(call.name, 'lookup');
  assert.deepEqual(call.input, { q: 'x', n: 1 });
  assert.match(call.id, /^toolu_01/);
  assert.equal(fragments[0], '');
  assert.ok(fragments.length > 2);

  fake.enqueue({ kind: 'reply', scenario: 'tool_use' });
  const plain = await sdk().messages.create(params());
  assert.deepEqual((plain.content[1] as Anthropic.ToolUseBlock).input, { city: 'Paris' });
  assert.equal((plain.content[1] as Anthropic.ToolUseBlock).name, 'get_weather');
});

test('thinking stream: thinking (with signature) then text; other scenarios non-stream', async () => {
  fake.enqueue({ kind: 'reply', scenario: 'thinking', stream: { chunking: 'random', seed: 7 } });
  const final = await sdk().messages.stream(params()).finalMessage();
  assert.deepEqual(
    final.content.map((b) => b.type),
    ['thinking', 'text'],
  );
  const thinking = final.content[0] as Anthropic.ThinkingBlock;
  assert.ok(thinking.thinking.includes(USER_TEXT));
  assert.ok(thinking.signature.length > 20);
  assert.equal(final.usage.output_tokens, countOutputTokens(final.content));

  const cases = [
    { scenario: 'redacted_thinking', types: ['redacted_thinking', 'text'], stop: 'end_turn' },
    { scenario: 'refusal', types: ['text'], stop: 'refusal' },
    { scenario: 'max_tokens', types: ['text'], stop: 'max_tokens' },
  ] as const;
  for (const c of cases) {
    fake.enqueue({ kind: 'reply', scenario: c.scenario });
    const msg = await sdk().messages.create(params({ max_tokens: 3 }));
    assert.deepEqual(
      msg.content.map((b) => b.type),
      c.types,
      c.scenario,
    );
    assert.equal(msg.stop_reason, c.stop);
    if (c.scenario === 'max_tokens') {
      assert.equal(msg.usage.output_tokens, 3);
      assert.equal((msg.content[0] as Anthropic.TextBlock).text, 'echo: Grüße aus');
    }
  }
});

test('429 surfaces as RateLimitError with retry-after; 529 as InternalServerError', async () => {
  fake.enqueue({ kind: 'error', status: 429 });
  await assert.rejects(sdk().messages.create(params()), (err: unknown) => {
    assert.ok(err instanceof Anthropic.RateLimitError);
    assert.equal(err.headers?.get('retry-after'), '30');
    assert.equal(err.headers?.get('x-should-retry'), 'true');
    assert.equal(err.type, 'rate_limit_error');
    assert.match(err.requestID ?? '', /^req_/);
    return true;
  });
  fake.enqueue({ kind: 'error', status: 529 });
  await assert.rejects(sdk().messages.stream(params()).finalMessage(), (err: unknown) => {
    assert.ok(err instanceof Anthropic.InternalServerError);
    assert.equal(err.status, 529);
    assert.equal(err.type, 'overloaded_error');
    assert.equal(err.headers?.get('retry-after'), '1');
    return true;
  });
});

test('errorAfterEvents makes the SDK stream throw an APIError; unknown events are ignored', async () => {
  fake.enqueue({ kind: 'reply', stream: { errorAfterEvents: 3 } });
  await assert.rejects(sdk().messages.stream(params()).finalMessage(), (err: unknown) => {
    assert.ok(err instanceof Anthropic.APIError);
    assert.equal(err.type, 'overloaded_error');
    return true;
  });

  fake.enqueue({ kind: 'reply', stream: { unknownEvents: true, chunking: 'random' } });
  const seen: string[] = [];
  const stream = await sdk().messages.create({ ...params(), stream: true });
  for await (const e of stream) seen.push(e.type);
  assert.ok(seen.includes('foo_bar'));
  fake.enqueue({ kind: 'reply', stream: { unknownEvents: true } });
  const final = await sdk().messages.stream(params()).finalMessage();
  assert.deepEqual(final.content, [{ type: 'text', text: `echo: ${USER_TEXT}` }]);
});

test('count_tokens uses the same rule and honours an enqueued error', async () => {
  const body = { model: 'claude-haiku-4-5', system: 'S', messages: [{ role: 'user' as const, content: 'count me' }] };
  const counted = await sdk().messages.countTokens(body);
  assert.equal(counted.input_tokens, countInputTokens(body));
  fake.enqueue({ kind: 'reply', text: 'kept for messages' });
  fake.enqueue({ kind: 'error', status: 529 });
  await assert.rejects(sdk().messages.countTokens(body), { status: 529 });
  assert.equal(fake.pendingBehaviours(), 1, 'a reply behaviour is not consumed by count_tokens');
  const msg = await sdk().messages.create(params());
  assert.equal((msg.content[0] as Anthropic.TextBlock).text, 'kept for messages');
});

test('models.list pages with limit/after_id; retrieve and 404', async () => {
  const ids: string[] = [];
  for await (const m of sdk().models.list({ limit: 3 })) ids.push(m.id);
  assert.deepEqual(
    ids,
    MODELS.map((m) => m.id),
  );
  const pageQueries = fake.requests.filter((r) => r.path === '/v1/models').map((r) => r.query);
  assert.equal(pageQueries.length, Math.ceil(MODELS.length / 3));
  assert.equal(pageQueries[1].after_id, MODELS[2].id);
  const page = await sdk().models.list({ limit: 2 });
  assert.equal(page.has_more, true);
  assert.equal(page.first_id, MODELS[0].id);
  assert.equal(page.last_id, MODELS[1].id);
  assert.equal((await sdk().models.retrieve(MODELS[2].id)).display_name, MODELS[2].display_name);
  await assert.rejects(sdk().models.retrieve('claude-foo'), Anthropic.NotFoundError);
});

test('auth: bad key 401, OAuth needs the beta, missing anthropic-version 400, body validation 400', async () => {
  await assert.rejects(sdk('bad-key').messages.create(params()), (err: unknown) => {
    assert.ok(err instanceof Anthropic.AuthenticationError);
    assert.equal(err.apiMessage, 'invalid x-api-key');
    return true;
  });
  fake.setApiKeys(['sk-ant-only']);
  assert.equal((await post('/v1/messages', params())).status, 401);
  fake.setApiKeys(null);

  const oauth = { 'anthropic-version': '2023-06-01', authorization: 'Bearer sk-ant-oat01-abc', 'content-type': 'application/json' };
  const noBeta = await post('/v1/messages', params(), oauth);
  assert.equal(noBeta.status, 401);
  assert.equal((await json(noBeta)).error.message, 'OAuth authentication is currently not supported.');
  const withBeta = await post('/v1/messages', params(), { ...oauth, 'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20' });
  assert.equal(withBeta.status, 200);
  assert.equal(withBeta.headers.get('anthropic-ratelimit-requests-limit'), null, 'no API-key limits for OAuth');

  const noVersion = await post('/v1/messages', params(), { 'x-api-key': 'sk-ant-test', 'content-type': 'application/json' });
  assert.equal(noVersion.status, 400);
  assert.equal((await json(noVersion)).error.type, 'invalid_request_error');

  const invalid: Array<[unknown, RegExp]> = [
    ['{not json', /parsing the body/],
    [{ model: 'm', messages: [] }, /max_tokens/],
    [{ max_tokens: 5, messages: [] }, /model/],
    [{ model: 'm', max_tokens: 1.5, messages: [] }, /max_tokens/],
    [{ model: 'm', max_tokens: 5 }, /messages/],
    [{ ...params(), thinking: { type: 'enabled', budget_tokens: 100 } }, /budget_tokens/],
    [{ ...params(), messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, /non-empty/],
  ];
  for (const [body, message] of invalid) {
    const res = await post('/v1/messages', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match((await json(res)).error.message, message);
  }
});

test('usage override and usageInDelta are visible in finalMessage().usage', async () => {
  const usage = {
    input_tokens: 12,
    output_tokens: 9,
    cache_read_input_tokens: 100,
    cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 48 },
  };
  fake.enqueue({ kind: 'reply', usage, usageInDelta: true, stream: { startUsage: { input_tokens: 999, cache_read_input_tokens: 0 } } });
  const deltas: unknown[] = [];
  const stream = sdk().messages.stream(params());
  stream.on('streamEvent', (e) => e.type === 'message_delta' && deltas.push(e.usage));
  const final = await stream.finalMessage();
  assert.equal(final.usage.input_tokens, 12, 'message_delta overwrote message_start');
  assert.equal(final.usage.cache_read_input_tokens, 100);
  assert.equal(final.usage.cache_creation_input_tokens, 2048);
  assert.deepEqual(final.usage.cache_creation, { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 48 });
  assert.equal(final.usage.output_tokens, 9);
  assert.deepEqual(deltas, [{ input_tokens: 12, cache_creation_input_tokens: 2048, cache_read_input_tokens: 100, output_tokens: 9 }]);
  assert.throws(() => fake.enqueue({ kind: 'reply', usage: { cache_creation_input_tokens: 5, cache_creation: { ephemeral_5m_input_tokens: 4 } } }));
});

test('recorder keeps method, path, query, lowercased headers, raw body and json, before answering', async () => {
  fake.enqueue({ kind: 'hang' });
  const raw = JSON.stringify(params());
  const controller = new AbortController();
  const pending = fetch(`${fake.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { ...HEADERS, 'Anthropic-Beta': 'a,b', 'X-Custom': 'Yes' },
    body: raw,
    signal: controller.signal,
  }).catch((e: unknown) => e);
  await fake.waitForRequests(1);
  const r = fake.requests[0];
  assert.equal(r.method, 'POST');
  assert.equal(r.path, '/v1/messages');
  assert.deepEqual(r.query, { beta: 'true' });
  assert.equal(r.headers['anthropic-beta'], 'a,b');
  assert.equal(r.headers['x-custom'], 'Yes');
  assert.equal(r.body.toString('utf8'), raw);
  assert.deepEqual(r.json, params());
  assert.equal(fake.openResponses(), 1, 'recorded while the response is still open');
  controller.abort();
  await pending;
  await fake.waitForIdle();
  fake.clearRequests();
  assert.equal(fake.requests.length, 0);
});

test('client abort of a slow stream is observed: aborted count, no open response left', async () => {
  fake.enqueue({ kind: 'reply', text: 'one two three four five six seven eight nine ten', stream: { delayMs: 40 } });
  const before = fake.aborted;
  const controller = new AbortController();
  const stream = sdk().messages.stream(params(), { signal: controller.signal });
  stream.on('text', () => controller.abort());
  await stream.done().catch(() => undefined);
  await fake.waitForAborted(before + 1);
  await fake.waitForIdle();
  assert.equal(fake.aborted, before + 1);
  assert.equal(fake.openResponses(), 0);
});

test('drop and dropAfterEvents break the connection; neither counts as a client abort', async () => {
  fake.enqueue({ kind: 'drop' });
  await assert.rejects(sdk().messages.create(params()), Anthropic.APIConnectionError);
  fake.enqueue({ kind: 'reply', stream: { dropAfterEvents: 3 } });
  const events: string[] = [];
  const stream = sdk().messages.stream(params());
  stream.on('streamEvent', (e) => events.push(e.type));
  await assert.rejects(stream.finalMessage());
  assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta']);
  await fake.waitForIdle();
  assert.equal(fake.aborted, 0);
  assert.equal(fake.requests.length, 2);
});

test('hang (with and without headers) does not block close()', async () => {
  const own = await createFakeUpstream();
  own.enqueue({ kind: 'hang' });
  own.enqueue({ kind: 'hang', afterHeaders: true });
  const body = JSON.stringify({ ...params(), stream: true });
  const first = fetch(`${own.url}/v1/messages`, { method: 'POST', headers: HEADERS, body }).catch((e: unknown) => e);
  const second = await fetch(`${own.url}/v1/messages`, { method: 'POST', headers: HEADERS, body });
  assert.equal(second.status, 200);
  assert.equal(second.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  await own.waitForRequests(2);
  assert.equal(own.openResponses(), 2);
  const started = Date.now();
  await own.close();
  assert.ok(Date.now() - started < 1000);
  assert.ok((await first) instanceof Error);
  await assert.rejects(second.text());
  assert.equal(own.openResponses(), 0);
  await own.close(); // idempotent
});
