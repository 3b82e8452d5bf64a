// Knobs of the fake upstream beyond the SDK happy paths: chunk planning, queue routing, unified headers, gzip.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './index.js';
import { frameEvent, planCuts, splitAt } from './sse-writer.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => fake.reset());
after(() => fake.close());

const sdk = (apiKey = 'sk-ant-test', maxRetries = 0): Anthropic => new Anthropic({ baseURL: fake.url, apiKey, maxRetries });
const params = (content = 'hello') => ({
  model: 'claude-opus-4-8',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content }],
});
const HEADERS = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const json = async (res: Response): Promise<any> => res.json();
const post = (path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
const textOf = (m: Anthropic.Message): string => (m.content[0] as Anthropic.TextBlock).text;

test("'random' chunking is seeded and cuts inside JSON, inside a UTF-8 character and between the two LFs", () => {
  const frames = [
    frameEvent({ event: 'message_start', data: { type: 'message_start', note: 'plain ascii first' } }),
    frameEvent({ event: 'content_block_delta', data: { type: 'content_block_delta', text: 'Grüße 😀' } }),
  ];
  const buf = Buffer.concat(frames);
  const ends = [frames[0].length, buf.length];
  const cuts = planCuts(buf, ends, 'random', 42);
  assert.deepEqual(planCuts(buf, ends, 'random', 42), cuts, 'same seed, same cuts');
  assert.notDeepEqual(planCuts(buf, ends, 'random', 43), cuts);
  const multi = buf.indexOf(Buffer.from('ü'));
  assert.ok(cuts.includes(multi + 1), 'inside the 2-byte ü');
  assert.ok(cuts.includes(buf.indexOf('\n\n') + 1), 'between \\n and \\n');
  const dataLine = buf.indexOf('data: {');
  assert.ok(
    cuts.some((c) => c > dataLine + 6 && c < buf.indexOf('\n', dataLine)),
    'inside a JSON line',
  );
  assert.deepEqual(Buffer.concat(splitAt(buf, cuts)), buf);
  assert.deepEqual(planCuts(buf, ends, 'event'), [frames[0].length]);
  assert.equal(planCuts(buf, ends, 'byte').length, buf.length - 1);
});

test('queue: per-key entries, times, FIFO, per-key default over global default', async () => {
  fake.enqueue({ kind: 'reply', text: 'for key B' }, { apiKey: 'sk-ant-b' });
  fake.enqueue({ kind: 'reply', text: 'twice' }, { times: 2 });
  fake.setDefault({ kind: 'reply', text: 'global default' });
  fake.setDefault({ kind: 'reply', text: 'default of C' }, { apiKey: 'sk-ant-c' });
  assert.equal(fake.pendingBehaviours(), 3);
  assert.equal(textOf(await sdk('sk-ant-a').messages.create(params())), 'twice');
  assert.equal(textOf(await sdk('sk-ant-b').messages.create(params())), 'for key B');
  assert.equal(textOf(await sdk('sk-ant-b').messages.create(params())), 'twice');
  assert.equal(textOf(await sdk('sk-ant-a').messages.create(params())), 'global default');
  assert.equal(textOf(await sdk('sk-ant-c').messages.create(params())), 'default of C');
  assert.equal(fake.pendingBehaviours(), 0);
  fake.reset();
  assert.equal(textOf(await sdk().messages.create(params('after reset'))), 'echo: after reset');
  assert.throws(() => fake.enqueue({ kind: 'error', status: 200 }));
  assert.throws(() => fake.enqueue({ kind: 'drop' }, { times: 0 }));
});

test('invalid or unauthenticated requests do not consume behaviours; SDK retries see x-stainless-retry-count', async () => {
  fake.enqueue({ kind: 'error', status: 529, headers: { 'retry-after-ms': '5' } });
  assert.equal((await post('/v1/messages', { model: 'm' })).status, 400);
  assert.equal((await post('/v1/messages', params(), { ...HEADERS, 'x-api-key': 'nope' })).status, 401);
  assert.equal(fake.pendingBehaviours(), 1);
  fake.clearRequests();
  const msg = await sdk('sk-ant-test', 1).messages.create(params('retried'));
  assert.equal(textOf(msg), 'echo: retried');
  assert.deepEqual(
    fake.requests.map((r) => r.headers['x-stainless-retry-count']),
    ['0', '1'],
  );
});

test('unified headers: allowed on 200, rejected_7d on 429 with retry-after until the weekly reset', async () => {
  fake.enqueue({ kind: 'reply', unified: 'allowed' });
  const ok = await post('/v1/messages', params());
  const now = Date.now() / 1000;
  assert.equal(ok.headers.get('anthropic-ratelimit-unified-status'), 'allowed');
  assert.ok(Number(ok.headers.get('anthropic-ratelimit-unified-reset')) > now);
  const util = Number(ok.headers.get('anthropic-ratelimit-unified-5h-utilization'));
  assert.ok(util > 0 && util < 1);

  fake.enqueue({ kind: 'error', status: 429, unified: 'rejected_7d' });
  const limited = await post('/v1/messages', params());
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('anthropic-ratelimit-unified-status'), 'rejected');
  assert.equal(limited.headers.get('anthropic-ratelimit-unified-7d-status'), 'rejected');
  assert.equal(limited.headers.get('anthropic-ratelimit-unified-representative-claim'), 'seven_day');
  const reset = Number(limited.headers.get('anthropic-ratelimit-unified-reset'));
  assert.equal(reset, Number(limited.headers.get('anthropic-ratelimit-unified-7d-reset')));
  assert.ok(Math.abs(Number(limited.headers.get('retry-after')) - (reset - now)) < 5);
  assert.equal((await json(limited)).error.type, 'rate_limit_error');
});

test('gzip knob: JSON and SSE bodies are gzip-encoded when accepted, and the SDK decodes them', async () => {
  fake.enqueue({ kind: 'reply', gzip: true });
  const raw = await post('/v1/messages', params(), { ...HEADERS, 'accept-encoding': 'gzip' });
  assert.equal(raw.headers.get('content-encoding'), 'gzip');
  assert.equal((await json(raw)).content[0].text, 'echo: hello');
  fake.enqueue({ kind: 'reply', gzip: true });
  const plain = await post('/v1/messages', params(), { ...HEADERS, 'accept-encoding': 'identity' });
  assert.equal(plain.headers.get('content-encoding'), null);
  fake.enqueue({ kind: 'reply', gzip: true, stream: { chunking: 'random' } });
  const final = await sdk().messages.stream(params('zipped ✓')).finalMessage();
  assert.equal(textOf(final), 'echo: zipped ✓');
  assert.match(fake.requests.at(-1)?.headers['accept-encoding'] ?? '', /gzip/);
});

test('newerFields: container, stop_details, citations, caller and newer usage fields', async () => {
  fake.enqueue({ kind: 'reply', scenario: 'refusal', newerFields: true });
  const msg = (await json(await post('/v1/messages', params()))) as Record<string, any>;
  assert.equal(msg.container, null);
  assert.deepEqual(msg.stop_details, { type: 'refusal', category: null, explanation: null });
  assert.equal(msg.content[0].citations, null);
  assert.deepEqual(msg.usage.server_tool_use, { web_search_requests: 0, web_fetch_requests: 0 });
  assert.equal(msg.usage.output_tokens_details.thinking_tokens, 0);

  fake.enqueue({ kind: 'reply', scenario: 'tool_use', newerFields: true, usageInDelta: true });
  const final = await sdk().messages.stream(params()).finalMessage();
  assert.deepEqual((final.content[1] as Anthropic.ToolUseBlock).caller, { type: 'direct' });
  assert.equal(final.stop_details, null);
  assert.equal(final.stop_reason, 'tool_use');
});

test('Claude Code body shape: trailing system message, adaptive thinking; echo uses the last user turn', async () => {
  const body = {
    ...params(),
    thinking: { type: 'adaptive' },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>x</system-reminder>' },
          { type: 'text', text: 'real prompt' },
        ],
      },
      { role: 'system', content: 'Available agent types …' },
    ],
  };
  const res = await post('/v1/messages?beta=true', body);
  assert.equal(res.status, 200);
  assert.equal((await json(res)).content[0].text, 'echo: <system-reminder>x</system-reminder>\nreal prompt');
});

test('other endpoints: event logging, unknown paths, strictValidation off, headersDelayMs', async () => {
  const log = await post('/api/event_logging/batch', { events: [] }, { 'content-type': 'application/json' });
  assert.deepEqual(await json(log), { success: true });
  for (const [method, path] of [
    ['GET', '/v1/messages'],
    ['POST', '/v1/complete'],
    ['GET', '/'],
  ]) {
    const res = await fetch(fake.url + path, { method, headers: HEADERS });
    assert.equal(res.status, 404);
    assert.equal((await json(res)).error.type, 'not_found_error');
  }
  const lax = await createFakeUpstream({ strictValidation: false, apiKeys: ['k1'] });
  try {
    const body = { ...params(), thinking: { type: 'enabled', budget_tokens: 10 } };
    const res = await fetch(`${lax.url}/v1/messages`, { method: 'POST', headers: { ...HEADERS, 'x-api-key': 'k1' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    lax.enqueue({ kind: 'reply', headersDelayMs: 60 });
    const started = Date.now();
    await fetch(`${lax.url}/v1/messages`, { method: 'POST', headers: { ...HEADERS, 'x-api-key': 'k1' }, body: JSON.stringify(params()) });
    assert.ok(Date.now() - started >= 55);
  } finally {
    await lax.close();
  }
});

test('stream framing: headers, exact frames, real ping payload, CRLF variant parses', async () => {
  fake.enqueue({ kind: 'reply', text: 'hi there', stream: { pings: 1 } });
  const res = await post('/v1/messages', { ...params(), stream: true });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const raw = await res.text();
  assert.ok(raw.includes('event: ping\ndata: {"type": "ping"}\n\n'));
  const names = [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  assert.deepEqual(names, ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  for (const frame of raw.split('\n\n').filter(Boolean)) {
    const [ev, data, ...rest] = frame.split('\n');
    assert.equal(rest.length, 0);
    assert.equal(JSON.parse(data.slice('data: '.length)).type, ev.slice('event: '.length));
  }
  const start = JSON.parse(raw.split('\n')[1].slice(6)).message;
  assert.equal(start.usage.output_tokens, 1);
  assert.equal(start.stop_reason, null);

  fake.enqueue({ kind: 'reply', stream: { crlf: true, chunking: 'random' } });
  const final = await sdk().messages.stream(params()).finalMessage();
  assert.deepEqual(final.content, [{ type: 'text', text: 'echo: hello' }]);
});

test('error table: status → error.type, request_id in body', async () => {
  const table: Array<[number, string]> = [
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [500, 'api_error'],
    [503, 'api_error'],
  ];
  for (const [status, type] of table) {
    fake.enqueue({ kind: 'error', status });
    const res = await post('/v1/messages', params());
    const body = await json(res);
    assert.equal(res.status, status);
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, type);
    assert.equal(body.request_id, res.headers.get('request-id'));
    assert.equal(res.headers.get('x-should-retry'), null);
  }
});
