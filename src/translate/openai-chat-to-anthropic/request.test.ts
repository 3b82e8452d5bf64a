// Request parameters (§6.1 non-message rows), flags and every rejection, driven through chatToMessages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranslateError } from '../errors.js';
import { chatToMessages } from './request.js';

const MODEL = 'claude-sonnet-4-5';
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

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
};
const timeTool = { type: 'function', function: { name: 'get_time' } };
const aWeather = { name: 'get_weather', description: 'Current weather', input_schema: weatherTool.function.parameters, strict: true };
const aTime = { name: 'get_time', input_schema: { type: 'object', properties: {} } };

const paramCases: Case[] = [
  { name: 'max_tokens is kept', body: { max_tokens: 100 }, expect: { max_tokens: 100 } },
  { name: 'max_completion_tokens wins over max_tokens', body: { max_tokens: 100, max_completion_tokens: 300 }, expect: { max_tokens: 300 } },
  {
    name: 'temperature above 1 is clamped; top_p dropped with temperature',
    body: { temperature: 1.7, top_p: 0.9 },
    expect: { temperature: 1 },
    absent: ['top_p'],
  },
  { name: 'negative temperature clamps to 0', body: { temperature: -0.5 }, expect: { temperature: 0 } },
  { name: 'temperature in range is kept', body: { temperature: 0.3 }, expect: { temperature: 0.3 } },
  { name: 'top_p alone is kept', body: { top_p: 0.8 }, expect: { top_p: 0.8 }, absent: ['temperature'] },
  { name: 'stop string → stop_sequences', body: { stop: 'END' }, expect: { stop_sequences: ['END'] } },
  { name: 'whitespace-only stops are dropped', body: { stop: ['\n', 'END', ' ', 'STOP'] }, expect: { stop_sequences: ['END', 'STOP'] } },
  { name: 'only whitespace stops → no stop_sequences', body: { stop: ['\n\n', ''] }, expect: {}, absent: ['stop_sequences'] },
  {
    name: 'tools: parameters → input_schema, missing parameters → empty object schema, strict kept',
    body: { tools: [weatherTool, timeTool] },
    expect: { tools: [aWeather, aTime] },
    absent: ['tool_choice'],
  },
  { name: 'tool_choice auto', body: { tools: [timeTool], tool_choice: 'auto' }, expect: { tool_choice: { type: 'auto' } } },
  { name: 'tool_choice none', body: { tools: [timeTool], tool_choice: 'none', parallel_tool_calls: false }, expect: { tool_choice: { type: 'none' } } },
  { name: 'tool_choice required → any', body: { tools: [timeTool], tool_choice: 'required' }, expect: { tool_choice: { type: 'any' } } },
  {
    name: 'tool_choice function → tool',
    body: { tools: [timeTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
    expect: { tool_choice: { type: 'tool', name: 'get_time' } },
  },
  {
    name: 'parallel_tool_calls false with a choice',
    body: { tools: [timeTool], tool_choice: 'required', parallel_tool_calls: false },
    expect: { tool_choice: { type: 'any', disable_parallel_tool_use: true } },
  },
  {
    name: 'parallel_tool_calls false alone creates auto',
    body: { tools: [timeTool], parallel_tool_calls: false },
    expect: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
  },
  { name: 'parallel_tool_calls true changes nothing', body: { tools: [timeTool], parallel_tool_calls: true }, expect: {}, absent: ['tool_choice'] },
  { name: 'tool_choice without tools is dropped', body: { tool_choice: 'required', tools: [] }, expect: {}, absent: ['tool_choice', 'tools'] },
  {
    name: 'reasoning_effort minimal → 1024',
    body: { reasoning_effort: 'minimal' },
    expect: { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 8192 },
  },
  { name: 'reasoning_effort low → 1024', body: { reasoning_effort: 'low' }, expect: { thinking: { type: 'enabled', budget_tokens: 1024 } } },
  { name: 'reasoning_effort medium → 2048', body: { reasoning_effort: 'medium' }, expect: { thinking: { type: 'enabled', budget_tokens: 2048 } } },
  {
    name: 'reasoning_effort high → 4096, max_tokens raised above the budget, sampling dropped',
    body: { reasoning_effort: 'high', max_tokens: 1000, temperature: 0.2, top_p: 0.5, top_k: 5 },
    expect: { thinking: { type: 'enabled', budget_tokens: 4096 }, max_tokens: 5096 },
    absent: ['temperature', 'top_p', 'top_k'],
  },
  { name: 'max_tokens equal to the budget is raised', body: { reasoning_effort: 'high', max_completion_tokens: 4096 }, expect: { max_tokens: 8192 } },
  { name: 'reasoning_effort none → no thinking', body: { reasoning_effort: 'none', temperature: 0.5 }, expect: { temperature: 0.5 }, absent: ['thinking'] },
  {
    name: 'forced tool choice disables thinking',
    body: { reasoning_effort: 'high', tools: [timeTool], tool_choice: 'required' },
    expect: { tool_choice: { type: 'any' } },
    absent: ['thinking'],
  },
  {
    name: 'thinking kept with tool_choice auto',
    body: { reasoning_effort: 'low', tools: [timeTool], tool_choice: 'auto' },
    expect: { thinking: { type: 'enabled', budget_tokens: 1024 } },
  },
  { name: 'user → metadata.user_id', body: { user: 'user-123' }, expect: { metadata: { user_id: 'user-123' } } },
  { name: 'safety_identifier → metadata.user_id', body: { safety_identifier: 'hash-9f8e' }, expect: { metadata: { user_id: 'hash-9f8e' } } },
  { name: 'an email is not forwarded', body: { user: 'alice@example.com' }, expect: {}, absent: ['metadata'] },
  { name: 'a phone number is not forwarded', body: { user: '+1 (555) 010-9999' }, expect: {}, absent: ['metadata'] },
  { name: 'an over-long user id is not forwarded', body: { user: 'x'.repeat(257) }, expect: {}, absent: ['metadata'] },
  {
    name: 'json_schema → output_config.format',
    body: {
      response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'number' } } } } },
    },
    expect: { output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'number' } } } } } },
  },
  {
    name: 'json_object adds nothing (no hidden prompt text either)',
    body: { response_format: { type: 'json_object' } },
    expect: {},
    absent: ['output_config', 'system'],
  },
  { name: 'text format adds nothing', body: { response_format: { type: 'text' } }, expect: {}, absent: ['output_config'] },
  {
    name: 'fields without an Anthropic counterpart are dropped',
    body: {
      seed: 1,
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 1,
      frequency_penalty: 1,
      logit_bias: { 1: 2 },
      n: 1,
      store: true,
      service_tier: 'auto',
      metadata: { a: 'b' },
    },
    expect: {},
    absent: ['seed', 'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'n', 'store', 'service_tier', 'metadata'],
  },
];

for (const c of paramCases) {
  test(c.name, () => {
    const body = { model: MODEL, messages: hi, ...c.body };
    const before = structuredClone(body);
    const { request } = chatToMessages(body);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(request[k], v, k);
    for (const k of c.absent ?? []) assert.ok(!(k in request), `${k} must be absent`);
    assert.deepEqual(body, before, 'the client body is not modified');
  });
}

const flagCases: { name: string; body: Record<string, unknown>; stream: boolean; includeUsage: boolean }[] = [
  { name: 'no stream', body: {}, stream: false, includeUsage: false },
  { name: 'stream without include_usage', body: { stream: true }, stream: true, includeUsage: false },
  { name: 'stream with include_usage', body: { stream: true, stream_options: { include_usage: true } }, stream: true, includeUsage: true },
  { name: 'include_usage without stream', body: { stream_options: { include_usage: true } }, stream: false, includeUsage: false },
];
for (const c of flagCases) {
  test(`flags: ${c.name}`, () => {
    const r = chatToMessages({ model: 'claude-opus-4-1', messages: hi, ...c.body });
    assert.deepEqual(
      { model: r.model, stream: r.stream, includeUsage: r.includeUsage },
      { model: 'claude-opus-4-1', stream: c.stream, includeUsage: c.includeUsage },
    );
    assert.equal(r.request.stream, c.stream);
  });
}

const user = (content: unknown) => ({ messages: [{ role: 'user', content }] });

const errorCases: { name: string; body: Record<string, unknown>; param: string; message: RegExp }[] = [
  { name: 'model missing', body: { model: undefined }, param: 'model', message: /model/ },
  { name: 'messages missing', body: { messages: undefined }, param: 'messages', message: /non-empty array/ },
  { name: 'messages empty', body: { messages: [] }, param: 'messages', message: /non-empty array/ },
  {
    name: 'only system messages',
    body: {
      messages: [
        { role: 'system', content: 'x' },
        { role: 'user', content: '' },
      ],
    },
    param: 'messages',
    message: /at least one/,
  },
  { name: 'n > 1', body: { n: 3 }, param: 'n', message: /n must be 1/ },
  {
    name: 'input_audio',
    body: user([
      { type: 'text', text: 'listen' },
      { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } },
    ]),
    param: 'messages[0].content[1]',
    message: /audio/,
  },
  {
    name: 'unknown role',
    body: {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'wizard', content: 'b' },
      ],
    },
    param: 'messages[1].role',
    message: /wizard/,
  },
  { name: 'legacy function role', body: { messages: [{ role: 'function', name: 'f', content: 'b' }] }, param: 'messages[0].role', message: /function/ },
  { name: 'legacy functions param', body: { functions: [{ name: 'f' }] }, param: 'functions', message: /tools/ },
  { name: 'content of the wrong type', body: user(42), param: 'messages[0].content', message: /string or an array/ },
  { name: 'unknown part type', body: user([{ type: 'video', video: {} }]), param: 'messages[0].content[0].type', message: /video/ },
  {
    name: 'image part in an assistant message',
    body: {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] },
      ],
    },
    param: 'messages[1].content[0].type',
    message: /assistant/,
  },
  {
    name: 'ftp image URL',
    body: user([{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }]),
    param: 'messages[0].content[0].image_url.url',
    message: /http/,
  },
  {
    name: 'non-image data URL',
    body: user([{ type: 'image_url', image_url: { url: 'data:text/plain;base64,aGk=' } }]),
    param: 'messages[0].content[0].image_url.url',
    message: /image/,
  },
  { name: 'file by id', body: user([{ type: 'file', file: { file_id: 'file-abc' } }]), param: 'messages[0].content[0].file.file_id', message: /file_data/ },
  {
    name: 'non-PDF file',
    body: user([{ type: 'file', file: { file_data: 'data:text/csv;base64,YSxi' } }]),
    param: 'messages[0].content[0].file.file_data',
    message: /PDF/,
  },
  {
    name: 'tool message without tool_call_id',
    body: {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', tool_calls: [call('c', 'f', '')] },
        { role: 'tool', content: 'x' },
      ],
    },
    param: 'messages[2].tool_call_id',
    message: /tool_call_id/,
  },
  {
    name: 'tool call without id',
    body: {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '' } }] },
      ],
    },
    param: 'messages[1].tool_calls[0].id',
    message: /id/,
  },
  {
    name: 'tool call without name',
    body: {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { arguments: '' } }] },
      ],
    },
    param: 'messages[1].tool_calls[0].function.name',
    message: /name/,
  },
  { name: 'non-function tool', body: { tools: [{ type: 'custom', custom: { name: 'x' } }] }, param: 'tools[0].type', message: /custom/ },
  { name: 'bad tool_choice', body: { tools: [timeTool], tool_choice: 'sometimes' }, param: 'tool_choice', message: /tool_choice/ },
  { name: 'unknown reasoning_effort', body: { reasoning_effort: 'extreme' }, param: 'reasoning_effort', message: /reasoning_effort/ },
  { name: 'max_tokens 0', body: { max_tokens: 0 }, param: 'max_tokens', message: /positive integer/ },
  { name: 'fractional max_completion_tokens', body: { max_completion_tokens: 1.5 }, param: 'max_completion_tokens', message: /positive integer/ },
  { name: 'temperature as a string', body: { temperature: 'hot' }, param: 'temperature', message: /number/ },
  { name: 'stop of the wrong type', body: { stop: 5 }, param: 'stop', message: /stop/ },
  {
    name: 'json_schema without schema',
    body: { response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
    param: 'response_format.json_schema.schema',
    message: /schema/,
  },
  { name: 'audio output', body: { modalities: ['text', 'audio'] }, param: 'modalities', message: /audio/ },
];

for (const c of errorCases) {
  test(`rejects: ${c.name}`, () => {
    assert.throws(
      () => chatToMessages({ model: MODEL, messages: hi, ...c.body }),
      (e: unknown) => e instanceof TranslateError && e.param === c.param && c.message.test(e.message),
    );
  });
}
