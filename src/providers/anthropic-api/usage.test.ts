import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnthropicJsonTap, AnthropicStreamTap, toUsage } from './usage.js';

const sse = (events: [string, unknown][]) => events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join('');

const toUsageCases = [
  {
    name: 'full breakdown',
    in: {
      input_tokens: 12,
      output_tokens: 9,
      cache_creation_input_tokens: 30,
      cache_read_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
    },
    out: { input: 12, output: 9, cacheWrite5m: 10, cacheWrite1h: 20, cacheRead: 5 },
  },
  {
    name: 'no breakdown: all writes are 5m',
    in: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 30 },
    out: { input: 1, output: 2, cacheWrite5m: 30, cacheWrite1h: 0, cacheRead: 0 },
  },
  {
    name: 'breakdown short of the total: remainder is 5m',
    in: { cache_creation_input_tokens: 30, cache_creation: { ephemeral_1h_input_tokens: 10 } },
    out: { input: 0, output: 0, cacheWrite5m: 20, cacheWrite1h: 10, cacheRead: 0 },
  },
  {
    name: 'nulls and junk count as zero',
    in: { input_tokens: null, output_tokens: -3, cache_read_input_tokens: 'x' as unknown as number },
    out: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
  },
];
for (const c of toUsageCases) test(`toUsage: ${c.name}`, () => assert.deepEqual(toUsage(c.in), c.out));

const START = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    model: 'claude-sonnet-5-20260701',
    usage: {
      input_tokens: 100,
      cache_creation_input_tokens: 40,
      cache_read_input_tokens: 7,
      cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
    },
  },
};

test('stream tap: input/cache from message_start, output from the last message_delta, never summed', () => {
  const tap = new AnthropicStreamTap();
  const text = sse([
    ['message_start', START],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', { type: 'ping' }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 20 } }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 35, input_tokens: null } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 7) tap.push(bytes.subarray(i, i + 7));
  const r = tap.finish();
  assert.deepEqual(r.usage, { input: 100, output: 35, cacheWrite5m: 40, cacheWrite1h: 0, cacheRead: 7 });
  assert.equal(r.model, 'claude-sonnet-5-20260701');
  assert.equal(r.complete, true);
  assert.equal(r.errorType, null);
});

test('stream tap: newer API repeats input counts in message_delta; they override', () => {
  const tap = new AnthropicStreamTap();
  tap.push(
    Buffer.from(
      sse([
        ['message_start', START],
        ['message_delta', { type: 'message_delta', delta: {}, usage: { output_tokens: 5, input_tokens: 110, cache_read_input_tokens: 9 } }],
      ]),
    ),
  );
  const r = tap.finish();
  assert.deepEqual(r.usage, { input: 110, output: 5, cacheWrite5m: 40, cacheWrite1h: 0, cacheRead: 9 });
  assert.equal(r.complete, false, 'no message_stop');
});

test('stream tap: error event and malformed events', () => {
  const tap = new AnthropicStreamTap();
  tap.push(Buffer.from('event: message_start\ndata: {not json\n\n'));
  tap.push(Buffer.from(sse([['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]])));
  const r = tap.finish();
  assert.equal(r.usage, null);
  assert.equal(r.errorType, 'overloaded_error');
});

test('json tap: reads usage and model from a Message, error type from an error body', () => {
  const ok = new AnthropicJsonTap();
  const body = Buffer.from(JSON.stringify({ type: 'message', model: 'claude-haiku-4-5', usage: { input_tokens: 3, output_tokens: 4 } }));
  ok.push(body.subarray(0, 10));
  ok.push(body.subarray(10));
  assert.deepEqual(ok.finish(), {
    usage: { input: 3, output: 4, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 },
    model: 'claude-haiku-4-5',
    complete: true,
    errorType: null,
  });
  const err = new AnthropicJsonTap();
  err.push(Buffer.from('{"type":"error","error":{"type":"rate_limit_error","message":"x"}}'));
  assert.equal(err.finish().errorType, 'rate_limit_error');
  const big = new AnthropicJsonTap(8);
  big.push(Buffer.from('{"usage":{"input_tokens":1}}'));
  assert.equal(big.finish().usage, null, 'bodies over the cap are not buffered');
});
