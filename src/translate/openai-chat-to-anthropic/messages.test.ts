// Message-list conversion (§6.1 message rows, §6.10 #1, #2, #9), driven through chatToMessages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicToolId } from './messages.js';
import { chatToMessages } from './request.js';

const MODEL = 'claude-sonnet-4-5';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IK';
const hi = [{ role: 'user', content: 'hi' }];

interface Case {
  name: string;
  /** Merged over `{model, messages: hi}`. */
  body: Record<string, unknown>;
  /** Keys of the Anthropic request that must equal these values. */
  expect: Record<string, unknown>;
  /** Keys that must be absent from the Anthropic request. */
  absent?: string[];
}

const call = (id: string, name: string, args: unknown) => ({ id, type: 'function', function: { name, arguments: args } });
const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
const ID0 = anthropicToolId('functions.get_time:0');
const ID1 = anthropicToolId('functions.get_time:1');

test('rewritten tool ids are valid for Anthropic and stay distinct', () => {
  assert.match(ID0, /^functions_get_time_0_[a-z0-9]+$/);
  assert.notEqual(ID0, ID1);
  assert.equal(anthropicToolId('toolu_01A-b'), 'toolu_01A-b');
});

const messageCases: Case[] = [
  {
    name: 'user string stays a string; defaults: max_tokens 8192, stream false',
    body: {},
    expect: { model: MODEL, max_tokens: 8192, messages: [{ role: 'user', content: 'hi' }], stream: false },
    absent: ['system', 'temperature', 'top_p', 'stop_sequences', 'tools', 'tool_choice', 'thinking', 'metadata', 'output_config'],
  },
  {
    name: 'system and developer messages are hoisted, joined with a blank line, mid-conversation ones too',
    body: {
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'Part one.' },
            { type: 'text', text: 'Part two.' },
          ],
        },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'system', content: 'Now answer in French.' },
        { role: 'system', content: '   ' },
        { role: 'user', content: 'ça va?' },
      ],
    },
    expect: {
      system: 'You are terse.\n\nPart one.\nPart two.\n\nNow answer in French.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'ça va?' },
      ],
    },
  },
  {
    name: 'user parts: text, data-URL image, http image; empty and blank text dropped; name dropped',
    body: {
      messages: [
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'text', text: '' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
            { type: 'text', text: ' \n ' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    },
    expect: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    },
  },
  {
    name: 'file parts with PDF data become documents (data URL with filename, raw base64)',
    body: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' } },
            { type: 'file', file: { file_data: PDF } },
            { type: 'text', text: 'Summarise both.' },
          ],
        },
      ],
    },
    expect: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'report.pdf' },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
            { type: 'text', text: 'Summarise both.' },
          ],
        },
      ],
    },
  },
  {
    name: 'assistant tool calls: text first when non-empty, bad/empty/non-object arguments become {}',
    body: {
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: 'Calling.',
          tool_calls: [
            call('call_1', 'get_weather', '{"city":"Paris"}'),
            call('call_2', 'get_time', ''),
            call('call_3', 'broken', '{"city": "Pa'),
            call('call_4', 'listy', '[1,2]'),
            call('call_5', 'noargs', '{}'),
          ],
        },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Calling.' },
            toolUse('call_1', 'get_weather', { city: 'Paris' }),
            toolUse('call_2', 'get_time', {}),
            toolUse('call_3', 'broken', {}),
            toolUse('call_4', 'listy', {}),
            toolUse('call_5', 'noargs', {}),
          ],
        },
      ],
    },
  },
  {
    name: 'parallel tool results merge into one user message, the next user message goes after them',
    body: {
      messages: [
        { role: 'user', content: 'weather and time?' },
        { role: 'assistant', content: null, tool_calls: [call('call_a', 'get_weather', '{"city":"Rome"}'), call('call_b', 'get_time', '')] },
        { role: 'tool', tool_call_id: 'call_a', name: 'get_weather', content: '18C' },
        {
          role: 'tool',
          tool_call_id: 'call_b',
          content: [
            { type: 'text', text: 'noon' },
            { type: 'text', text: '' },
          ],
        },
        { role: 'user', content: 'Thanks! And tomorrow?' },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'weather and time?' },
        { role: 'assistant', content: [toolUse('call_a', 'get_weather', { city: 'Rome' }), toolUse('call_b', 'get_time', {})] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: '18C' },
            { type: 'tool_result', tool_use_id: 'call_b', content: [{ type: 'text', text: 'noon' }] },
            { type: 'text', text: 'Thanks! And tomorrow?' },
          ],
        },
      ],
    },
  },
  {
    name: 'images inside tool messages go into tool_result content; empty tool output has no content',
    body: {
      messages: [
        { role: 'user', content: 'screenshot' },
        { role: 'assistant', content: '', tool_calls: [call('call_s', 'shot', '{}'), call('call_e', 'noop', '{}')] },
        {
          role: 'tool',
          tool_call_id: 'call_s',
          content: [
            { type: 'text', text: 'Here:' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${PNG}` } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_e', content: '' },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'screenshot' },
        { role: 'assistant', content: [toolUse('call_s', 'shot', {}), toolUse('call_e', 'noop', {})] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'call_s',
              content: [
                { type: 'text', text: 'Here:' },
                { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } },
              ],
            },
            { type: 'tool_result', tool_use_id: 'call_e' },
          ],
        },
      ],
    },
  },
  {
    name: 'empty messages are dropped and the neighbours they separated are merged',
    body: {
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: null },
        { role: 'assistant', content: '' },
        { role: 'user', content: [] },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'a' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'b' },
            { type: 'refusal', refusal: 'no' },
          ],
        },
        { role: 'user', content: 'three' },
      ],
    },
    expect: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'one' },
            { type: 'text', text: 'two' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
            { type: 'text', text: 'no' },
          ],
        },
        { role: 'user', content: 'three' },
      ],
    },
  },
  {
    name: 'a user message sent between the tool_use and its results: results still come first',
    body: {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', tool_calls: [call('call_1', 'f', '{}')] },
        { role: 'user', content: 'hurry' },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [toolUse('call_1', 'f', {})] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'done' },
            { type: 'text', text: 'hurry' },
          ],
        },
      ],
    },
  },
  {
    name: "tool ids outside Anthropic's charset are rewritten alike in tool_use and tool_result; names are kept",
    body: {
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          tool_calls: [call('functions.get_time:0', 'get_time', ''), call('functions.get_time:1', 'get_time', ''), call('call_ok-1', 'get-x_1', '')],
        },
        { role: 'tool', tool_call_id: 'functions.get_time:0', content: 'noon' },
        { role: 'tool', tool_call_id: 'functions.get_time:1', content: 'one' },
        { role: 'tool', tool_call_id: 'call_ok-1', content: 'x' },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [toolUse(ID0, 'get_time', {}), toolUse(ID1, 'get_time', {}), toolUse('call_ok-1', 'get-x_1', {})] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: ID0, content: 'noon' },
            { type: 'tool_result', tool_use_id: ID1, content: 'one' },
            { type: 'tool_result', tool_use_id: 'call_ok-1', content: 'x' },
          ],
        },
      ],
    },
  },
  {
    name: 'a final assistant prefill loses its trailing whitespace',
    body: {
      messages: [
        { role: 'user', content: 'list' },
        { role: 'assistant', content: 'Sure:\n1. ' },
      ],
    },
    expect: {
      messages: [
        { role: 'user', content: 'list' },
        { role: 'assistant', content: 'Sure:\n1.' },
      ],
    },
  },
];

for (const c of messageCases) {
  test(c.name, () => {
    const body = { model: MODEL, messages: hi, ...c.body };
    const before = structuredClone(body);
    const { request } = chatToMessages(body);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(request[k], v, k);
    for (const k of c.absent ?? []) assert.ok(!(k in request), `${k} must be absent`);
    assert.deepEqual(body, before, 'the client body is not modified');
  });
}
