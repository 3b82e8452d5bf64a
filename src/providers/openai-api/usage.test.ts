import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatStreamTap, chatUsage, OpenAIJsonTap, responsesUsage, ResponsesStreamTap } from './usage.js';
import type { UsageTap } from '../types.js';

const feed = (tap: UsageTap, text: string, size: number) => {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) tap.push(b.subarray(i, i + size));
  return tap.finish();
};
const ev = (type: string, data: Record<string, unknown>, eventLine = true) =>
  `${eventLine ? `event: ${type}\n` : ''}data: ${JSON.stringify({ type, ...data })}\n\n`;
const USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1000 },
  output_tokens: 40,
  output_tokens_details: { reasoning_tokens: 30 },
  total_tokens: 1240,
};
const completed = (eventLine: boolean) =>
  ev('response.created', { response: { id: 'r', model: 'gpt-5.5' } }, eventLine) +
  ev('response.output_text.delta', { delta: 'hé "usage":{ ' }, eventLine) +
  ev('response.completed', { response: { id: 'r', model: 'gpt-5.5-2026-04-23', usage: USAGE } }, eventLine);

for (const eventLine of [true, false]) {
  for (const size of [1, 7, 100_000]) {
    test(`Responses stream tap (event lines ${eventLine}, ${size}-byte chunks): usage and model from response.completed`, () => {
      const r = feed(new ResponsesStreamTap(), completed(eventLine), size);
      assert.deepEqual(r.usage, { input: 200, output: 40, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 1000 });
      assert.equal(r.model, 'gpt-5.5-2026-04-23');
      assert.equal(r.complete, true);
      assert.equal(r.errorType, null);
    });
  }
}

test('Responses stream tap: a stream cut before response.completed is incomplete; response.failed names its code', () => {
  const cut = feed(new ResponsesStreamTap(), ev('response.created', { response: { id: 'r' } }) + ev('response.output_text.delta', { delta: 'x' }), 5);
  assert.equal(cut.complete, false);
  assert.equal(cut.usage, null);
  const failed = feed(
    new ResponsesStreamTap(),
    ev('response.failed', { response: { id: 'r', error: { code: 'rate_limit_exceeded', message: 'slow down' } } }),
    9,
  );
  assert.equal(failed.errorType, 'rate_limit_exceeded');
});

test('Chat stream tap: the usage chunk, [DONE], and content that merely mentions "usage" are told apart', () => {
  const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const text =
    chunk({ model: 'gpt-4.1', choices: [{ delta: { content: '"usage":{"prompt_tokens":999}' } }], usage: null }) +
    chunk({
      model: 'gpt-4.1',
      choices: [],
      usage: { prompt_tokens: 50, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 20, cache_write_tokens: 10 } },
    }) +
    'data: [DONE]\n\n';
  const r = feed(new ChatStreamTap(), text, 3);
  assert.deepEqual(r.usage, { input: 20, output: 5, cacheWrite5m: 10, cacheWrite1h: 0, cacheRead: 20 });
  assert.equal(r.model, 'gpt-4.1');
  assert.equal(r.complete, true);
});

test('JSON taps read usage with the protocol’s reader; an error body has no usage', () => {
  const ok = feed(new OpenAIJsonTap(responsesUsage), JSON.stringify({ id: 'r', model: 'gpt-5.5', usage: USAGE }), 10);
  assert.equal(ok.usage?.cacheRead, 1000);
  const chat = feed(new OpenAIJsonTap(chatUsage), JSON.stringify({ model: 'm', usage: { prompt_tokens: 3, completion_tokens: 4 } }), 10);
  assert.deepEqual(chat.usage, { input: 3, output: 4, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 });
  const err = feed(new OpenAIJsonTap(chatUsage), JSON.stringify({ error: { type: 'server_error', message: 'x' } }), 10);
  assert.equal(err.usage, null);
  assert.equal(err.errorType, 'server_error');
});

test('usage readers never go negative on inconsistent counts', () => {
  assert.deepEqual(responsesUsage({ input_tokens: 5, input_tokens_details: { cached_tokens: 9 } }), {
    input: 0,
    output: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: 5,
  });
  assert.deepEqual(chatUsage({ prompt_tokens: 5, prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 4 } }), {
    input: 0,
    output: 0,
    cacheWrite5m: 1,
    cacheWrite1h: 0,
    cacheRead: 4,
  });
});
