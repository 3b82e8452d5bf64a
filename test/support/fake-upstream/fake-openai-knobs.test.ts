// Fault knobs of the OpenAI personality through the shared behaviour queue: OpenAI-shaped errors with rate-limit
// headers, hang/drop/delays, mid-stream errors, response.failed / error events, truncated streams, framing variants.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createFakeUpstream, type FakeUpstream } from './index.js';
import { parseSse } from './sse-parse.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => fake.reset());
after(() => fake.close());

const KEY = 'sk-test-knobs';
const sdk = (apiKey = KEY): OpenAI => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey, maxRetries: 0 });
const chat = (content = 'hello there') => ({ model: 'gpt-4.1', messages: [{ role: 'user' as const, content }] });
const resp = (input = 'hello there') => ({ model: 'gpt-5.5', input });
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
const sse = async (path: string, body: unknown) => parseSse(await (await post(path, { ...(body as object), stream: true })).text());

test('429 rate_limit_exceeded: RateLimitError, retry-after, x-ratelimit-* exhausted; insufficient_quota variant', async () => {
  fake.enqueue({ kind: 'error', status: 429, retryAfter: 20 });
  await assert.rejects(sdk().chat.completions.create(chat()), (e: unknown) => {
    assert.ok(e instanceof OpenAI.RateLimitError);
    assert.equal(e.code, 'rate_limit_exceeded');
    assert.equal(e.type, 'requests');
    assert.match(e.message, /Please try again in 20s/);
    assert.equal(e.headers?.get('retry-after'), '20');
    assert.equal(e.headers?.get('x-ratelimit-remaining-requests'), '0');
    assert.equal(e.headers?.get('x-ratelimit-reset-requests'), '20s');
    assert.match(e.requestID ?? '', /^req_/);
    return true;
  });
  fake.enqueue({ kind: 'error', status: 429, code: 'insufficient_quota' });
  const res = await post('/v1/responses', resp());
  const body = (await res.json()) as any;
  assert.equal(res.status, 429);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.type, 'insufficient_quota');
  assert.equal(body.error.code, 'insufficient_quota');
  assert.match(body.error.message, /exceeded your current quota/);
  assert.equal(res.headers.get('retry-after'), null);
  assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '9999', 'quota is not a rate limit');
});

test('5xx errors are server_error; a status-only error is honoured by every OpenAI endpoint', async () => {
  for (const [status, message] of [
    [500, /server had an error/],
    [503, /overloaded/],
  ] as const) {
    fake.enqueue({ kind: 'error', status });
    await assert.rejects(sdk().responses.create(resp()), (e: unknown) => {
      assert.ok(e instanceof OpenAI.InternalServerError);
      assert.equal(e.status, status);
      assert.equal(e.type, 'server_error');
      assert.match(e.message, message);
      return true;
    });
  }
  fake.enqueue({ kind: 'error', status: 404 });
  const nf = (await (await post('/v1/chat/completions', chat())).json()) as any;
  assert.equal(nf.error.code, 'model_not_found');
  assert.match(nf.error.message, /`gpt-4.1` does not exist/);
  fake.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages', message: 'too long' });
  const bad = (await (await post('/v1/chat/completions', chat())).json()) as any;
  assert.deepEqual(bad.error, { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
});

test('queue routing: endpoint and key filters, times, and reply kinds only answer their own endpoints', async () => {
  fake.enqueue({ kind: 'error', status: 500 }, { endpoint: 'chat_completions' });
  fake.enqueue({ kind: 'chat_reply', text: 'for key B' }, { apiKey: 'sk-b' });
  fake.enqueue({ kind: 'responses_reply', text: 'twice' }, { times: 2 });
  fake.enqueue({ kind: 'reply', text: 'anthropic' }, { endpoint: 'any' });
  assert.equal((await sdk().responses.create(resp())).output_text, 'twice');
  assert.equal((await post('/v1/chat/completions', chat())).status, 500);
  assert.equal((await sdk('sk-a').chat.completions.create(chat())).choices[0].message.content, 'echo: hello there');
  assert.equal((await sdk('sk-b').chat.completions.create(chat())).choices[0].message.content, 'for key B');
  assert.equal((await sdk().responses.create(resp())).output_text, 'twice');
  assert.equal(fake.pendingBehaviours(), 1, 'the Anthropic reply is left for /v1/messages');
  fake.setDefault({ kind: 'chat_reply', text: 'default' });
  assert.equal((await sdk().chat.completions.create(chat())).choices[0].message.content, 'default');
  assert.throws(() => fake.enqueue({ kind: 'chat_reply' }, { endpoint: 'messages' }));
  assert.throws(() => fake.enqueue({ kind: 'responses_reply' }, { endpoint: 'chat_completions' }));
  assert.throws(() => fake.enqueue({ kind: 'reply' }, { endpoint: 'responses' }));
});

test('chat mid-stream error: data: {"error"} after N chunks, no [DONE]; the SDK throws it', async () => {
  fake.enqueue({ kind: 'chat_reply', errorAfterEvents: 2, error: { message: 'upstream broke', code: 'server_error' } });
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const c of await sdk().chat.completions.create({ ...chat('a b c d e f g h i'), stream: true })) seen.push(c.choices[0].delta.content ?? '');
    })(),
    (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.match(e.message, /upstream broke/);
      return true;
    },
  );
  assert.equal(seen.length, 2);
  fake.enqueue({ kind: 'chat_reply', errorAfterEvents: 1 });
  const events = await sse('/v1/chat/completions', chat());
  assert.equal(events.length, 2);
  assert.equal(events[1].data.error.type, 'server_error');
  assert.ok(!events.some((e) => e.raw === '[DONE]'));
  fake.enqueue({ kind: 'chat_reply', omitDone: true });
  assert.ok((await sse('/v1/chat/completions', chat())).every((e) => e.raw !== '[DONE]'));
});

test('drop (reset), dropAfterEvents and hang; none counts as a client abort', async () => {
  fake.enqueue({ kind: 'drop' });
  await assert.rejects(sdk().chat.completions.create(chat()), OpenAI.APIConnectionError);
  fake.enqueue({ kind: 'chat_reply', stream: { dropAfterEvents: 2 } });
  const got: unknown[] = [];
  await assert.rejects(async () => {
    for await (const c of await sdk().chat.completions.create({ ...chat('a b c d e f g'), stream: true })) got.push(c);
  });
  assert.equal(got.length, 2);
  fake.enqueue({ kind: 'responses_reply', stream: { dropAfterEvents: 3 } });
  const stream = sdk().responses.stream(resp());
  const types: string[] = [];
  stream.on('event', (e) => types.push(e.type));
  await assert.rejects(stream.finalResponse());
  assert.deepEqual(types, ['response.created', 'response.in_progress', 'response.output_item.added']);
  await fake.waitForIdle();
  assert.equal(fake.aborted, 0);

  fake.enqueue({ kind: 'hang', afterHeaders: true });
  const controller = new AbortController();
  const res = await fetch(`${fake.url}/v1/responses`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ ...resp(), stream: true }),
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(fake.openResponses(), 1, 'hanging after the head');
  controller.abort();
  await fake.waitForAborted(1);
  await fake.waitForIdle();
});

test('headersDelayMs delays replies and errors', async () => {
  fake.enqueue({ kind: 'chat_reply', headersDelayMs: 80 });
  let t = Date.now();
  await sdk().chat.completions.create(chat());
  assert.ok(Date.now() - t >= 75);
  fake.enqueue({ kind: 'error', status: 503, headersDelayMs: 80 });
  t = Date.now();
  assert.equal((await post('/v1/responses', resp())).status, 503);
  assert.ok(Date.now() - t >= 75);
});

test('response.failed as first or mid event, with the given code; the stream then ends', async () => {
  for (const code of ['rate_limit_exceeded', 'insufficient_quota', 'context_length_exceeded']) {
    fake.enqueue({ kind: 'responses_reply', failed: { code, afterEvents: 5 } });
    const events = await sse('/v1/responses', resp('a b c d e f g h i j'));
    assert.equal(events.length, 6, code);
    const last = events.at(-1)!;
    assert.equal(last.event, 'response.failed');
    assert.equal(last.data.sequence_number, 5);
    assert.equal(last.data.response.status, 'failed');
    assert.equal(last.data.response.error.code, code);
    assert.equal(last.data.response.usage, null);
  }
  fake.enqueue({ kind: 'responses_reply', failed: { code: 'rate_limit_exceeded', afterEvents: 0 } });
  const first = await sse('/v1/responses', resp());
  assert.deepEqual(
    first.map((e) => e.event),
    ['response.failed'],
  );
  assert.match(first[0].data.response.error.message, /try again in 1.5s/);
  fake.enqueue({ kind: 'responses_reply', failed: { code: 'server_error', message: 'boom' } });
  const final = await sdk().responses.stream(resp()).finalResponse();
  assert.equal(final.status, 'failed');
  assert.deepEqual([final.error?.code, final.error?.message], ['server_error', 'boom']);
  fake.enqueue({ kind: 'responses_reply', failed: { code: 'insufficient_quota' } });
  const json = await sdk().responses.create(resp());
  assert.equal(json.status, 'failed');
  assert.equal(json.error?.code, 'insufficient_quota');
});

test('bare error event, stream without response.completed, incomplete scenario', async () => {
  fake.enqueue({ kind: 'responses_reply', errorEvent: { code: 'server_error', message: 'bad things', afterEvents: 3 } });
  const err = await sse('/v1/responses', resp());
  assert.deepEqual(err.at(-1), {
    event: 'error',
    raw: err.at(-1)!.raw,
    data: { type: 'error', code: 'server_error', message: 'bad things', param: null, sequence_number: 3 },
  });
  assert.equal(err.length, 4);
  fake.enqueue({ kind: 'responses_reply', omitCompleted: true });
  const open = await sse('/v1/responses', resp());
  assert.equal(open.at(-1)?.event, 'response.output_item.done');
  assert.ok(!open.some((e) => /^response\.(completed|failed|incomplete)$/.test(e.event ?? '')));
  fake.enqueue({ kind: 'responses_reply', scenario: 'incomplete' });
  const inc = await sse('/v1/responses', resp('one two three four five'));
  assert.equal(inc.at(-1)?.event, 'response.incomplete');
  assert.deepEqual(inc.at(-1)?.data.response.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal(inc.at(-2)?.data.item.content[0].text, 'echo: one two');
});

test('framing knobs: random chunking, CRLF, gzip, data-only lines and a [DONE] sentinel still parse', async () => {
  const expected = await sdk().responses.create(resp('Grüße 😀 aus Köln'));
  fake.enqueue({ kind: 'responses_reply', gzip: true, stream: { chunking: 'random', seed: 9, crlf: true } });
  const final = await sdk().responses.stream(resp('Grüße 😀 aus Köln')).finalResponse();
  assert.equal(final.output_text, expected.output_text);
  assert.match(fake.requests.at(-1)?.headers['accept-encoding'] ?? '', /gzip/);
  fake.enqueue({ kind: 'chat_reply', stream: { chunking: 'byte' } });
  const chatFinal = await sdk().chat.completions.stream(chat('Grüße 😀')).finalChatCompletion();
  assert.equal(chatFinal.choices[0].message.content, 'echo: Grüße 😀');
  fake.enqueue({ kind: 'responses_reply', noEventLines: true, doneSentinel: true });
  const raw = await (await post('/v1/responses', { ...resp(), stream: true })).text();
  assert.ok(!/^event:/m.test(raw));
  assert.ok(raw.endsWith('data: [DONE]\n\n'));
  assert.equal(parseSse(raw).at(-2)?.data.type, 'response.completed');
});
