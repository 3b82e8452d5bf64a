// Non-streaming answer conversion (§6.2), finish reasons (§6.8) and usage with cache tokens (§6.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { finishReason, messageToChatCompletion } from './response.js';

const CTX = { model: 'claude-sonnet-4-5', id: 'chatcmpl-abc', created: 1767000000 };
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

interface Case {
  name: string;
  msg: unknown;
  /** Expected `choices[0].message`. */
  message: Record<string, unknown>;
  finish: string;
  usage: Record<string, unknown>;
}

const plainUsage = { input_tokens: 12, output_tokens: 9 };
const plainChatUsage = {
  prompt_tokens: 12,
  completion_tokens: 9,
  total_tokens: 21,
  prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
};

const cases: Case[] = [
  {
    name: 'thinking, redacted thinking, text and parallel tool calls (one without input), cache usage',
    msg: load('message-thinking-tools.json'),
    message: {
      role: 'assistant',
      content: 'Checking both.',
      refusal: null,
      reasoning_content: 'Two cities, two calls.',
      tool_calls: [
        { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } },
        { id: 'toolu_01B', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ],
    },
    finish: 'tool_calls',
    usage: {
      prompt_tokens: 12 + 100 + 2048,
      completion_tokens: 90,
      total_tokens: 12 + 100 + 2048 + 90,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 2048 },
      completion_tokens_details: { reasoning_tokens: 40 },
    },
  },
  {
    name: 'plain text answer',
    msg: { content: [{ type: 'text', text: '18C and cloudy.' }], stop_reason: 'end_turn', usage: plainUsage },
    message: { role: 'assistant', content: '18C and cloudy.', refusal: null },
    finish: 'stop',
    usage: plainChatUsage,
  },
  {
    name: 'tool calls only: content is null',
    msg: { content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 2] } }], stop_reason: 'tool_use', usage: plainUsage },
    message: {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":[1,2]}' } }],
    },
    finish: 'tool_calls',
    usage: plainChatUsage,
  },
  {
    name: 'empty content array: content null, no tool_calls key',
    msg: { content: [], stop_reason: 'max_tokens', usage: plainUsage },
    message: { role: 'assistant', content: null, refusal: null },
    finish: 'length',
    usage: plainChatUsage,
  },
  {
    name: 'stop sequence → stop',
    msg: { content: [{ type: 'text', text: 'a, b' }], stop_reason: 'stop_sequence', stop_sequence: 'END', usage: plainUsage },
    message: { role: 'assistant', content: 'a, b', refusal: null },
    finish: 'stop',
    usage: plainChatUsage,
  },
  {
    name: 'refusal → content_filter',
    msg: { content: [{ type: 'text', text: 'I cannot help with that.' }], stop_reason: 'refusal', usage: plainUsage },
    message: { role: 'assistant', content: 'I cannot help with that.', refusal: null },
    finish: 'content_filter',
    usage: plainChatUsage,
  },
  {
    name: 'null cache counters and missing usage fields count as zero',
    msg: {
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 1 },
    },
    message: { role: 'assistant', content: 'ok', refusal: null },
    finish: 'stop',
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const out = messageToChatCompletion(c.msg, CTX) as Record<string, any>;
    assert.deepEqual(
      { id: out.id, object: out.object, created: out.created, model: out.model },
      { id: CTX.id, object: 'chat.completion', created: CTX.created, model: CTX.model },
    );
    assert.equal(out.choices.length, 1);
    assert.equal(out.choices[0].index, 0);
    assert.deepEqual(out.choices[0].message, c.message);
    assert.equal(out.choices[0].finish_reason, c.finish);
    assert.deepEqual(out.usage, c.usage);
  });
}

test('the model echoed is the one the client asked for, not the upstream one', () => {
  const out = messageToChatCompletion(load('message-thinking-tools.json'), { ...CTX, model: 'claude-x-alias' }) as { model: string };
  assert.equal(out.model, 'claude-x-alias');
});

const finishCases: [unknown, string][] = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
  ['a_future_reason', 'stop'],
  [null, 'stop'],
];
for (const [stop, finish] of finishCases) {
  test(`finishReason(${String(stop)}) = ${finish}`, () => assert.equal(finishReason(stop), finish));
}
