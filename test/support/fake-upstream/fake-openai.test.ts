// Drives the fake's OpenAI personality with the official openai SDK (v6): if the SDK is happy, the fake speaks the
// real protocol. Raw fetch checks the framing details the SDK hides.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { countChatPromptTokens, countResponsesInputTokens, countWords, createFakeUpstream, type FakeUpstream, OPENAI_MODELS } from './index.js';
import { parseSse } from './sse-parse.js';

let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
beforeEach(() => fake.reset());
after(() => fake.close());

const KEY = 'sk-proj-test-key-0001';
const sdk = (apiKey = KEY): OpenAI => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey, maxRetries: 0 });
const USER = 'Grüße aus Köln — 天気 😀 please';
const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4.1',
  messages: [
    { role: 'system' as const, content: 'Be terse.' },
    { role: 'user' as const, content: [{ type: 'text' as const, text: USER }] },
  ],
  ...extra,
});
const TOOLS = [
  {
    type: 'function' as const,
    function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } }, required: ['q', 'n'] } },
  },
  { type: 'function' as const, function: { name: 'ping', parameters: { type: 'object', properties: {} } } },
];
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(fake.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Codex-style Responses body (CLIENTS 2.1): no instructions, ids on input items, non-function tools first. */
const codexBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-5.5',
  input: [
    { type: 'message', id: 'msg_dev', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    { type: 'message', id: 'msg_env', role: 'user', content: [{ type: 'input_text', text: '<environment_context/>' }] },
    { type: 'message', id: 'msg_usr', role: 'user', content: [{ type: 'input_text', text: 'fix foo.py' }] },
  ],
  tools: [
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
    { type: 'web_search', external_web_access: false, search_content_types: ['text', 'image'] },
    { type: 'tool_search', execution: 'client' },
    {
      type: 'function',
      name: 'exec_command',
      strict: false,
      parameters: { type: 'object', properties: { cmd: { type: 'string' }, timeout: { type: 'number' } }, required: ['cmd', 'timeout'] },
    },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { effort: 'medium' },
  store: false,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'thread-1',
  text: { verbosity: 'low' },
  client_metadata: { session_id: 's1' },
  ...extra,
});

test('chat non-stream: echo of the last user message, ids, deterministic usage, OpenAI headers', async () => {
  const { data, response, request_id } = await sdk().chat.completions.create(chat()).withResponse();
  assert.match(data.id, /^chatcmpl-/);
  assert.equal(data.object, 'chat.completion');
  assert.equal(data.model, 'gpt-4.1');
  assert.equal(data.choices[0].message.content, `echo: ${USER}`);
  assert.equal(data.choices[0].finish_reason, 'stop');
  const prompt = countChatPromptTokens(chat());
  assert.equal(data.usage?.prompt_tokens, prompt);
  assert.equal(data.usage?.completion_tokens, countWords(`echo: ${USER}`));
  assert.equal(data.usage?.total_tokens, prompt + countWords(`echo: ${USER}`));
  assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 0);
  assert.match(request_id ?? '', /^req_[0-9a-f]{32}$/);
  assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '9999');
  assert.equal(response.headers.get('openai-version'), '2020-10-01');
  const r = fake.requests.at(-1)!;
  assert.equal(r.path, '/v1/chat/completions');
  assert.equal(r.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(r.json, chat());
});

test('chat stream with include_usage: usage null on every chunk, then a choices:[] usage chunk, then [DONE]', async () => {
  const expected = await sdk().chat.completions.create(chat());
  fake.enqueue({ kind: 'chat_reply', usage: { cached_tokens: 7 } });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of await sdk().chat.completions.create({ ...chat(), stream: true, stream_options: { include_usage: true } })) chunks.push(c);
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage?.prompt_tokens, expected.usage?.prompt_tokens);
  assert.equal(last.usage?.prompt_tokens_details?.cached_tokens, 7);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1));
  assert.equal(chunks.at(-2)?.choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks.at(-2)?.choices[0].delta, {});
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), expected.choices[0].message.content);
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1);

  const raw = await (await post('/v1/chat/completions', { ...chat(), stream: true })).text();
  assert.ok(!/^event:/m.test(raw), 'Chat SSE has no event: lines');
  assert.ok(raw.endsWith('data: [DONE]\n\n'));
  const events = parseSse(raw);
  assert.ok(
    events.slice(0, -1).every((e) => e.data && !('usage' in e.data)),
    'no usage key without include_usage',
  );
  assert.equal(events.at(-2)?.data.choices[0].finish_reason, 'stop');
});

test('chat tool_calls: parallel calls from the request tools, same result for every fragment order', async () => {
  const finals: OpenAI.ChatCompletion[] = [];
  for (const toolCallStreaming of ['sequential', 'interleaved', 'single_chunk'] as const) {
    fake.enqueue({ kind: 'chat_reply', scenario: 'tool_calls', toolCallStreaming, stream: { chunking: 'random', seed: 3 } });
    const final = await sdk()
      .chat.completions.stream(chat({ tools: TOOLS }))
      .finalChatCompletion();
    finals.push(final);
    assert.equal(final.choices[0].finish_reason, 'tool_calls', toolCallStreaming);
    assert.equal(final.choices[0].message.content, null);
    const calls = final.choices[0].message.tool_calls!.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : []));
    assert.deepEqual(
      calls,
      [
        ['lookup', { q: 'x', n: 1 }],
        ['ping', {}],
      ],
      toolCallStreaming,
    );
    assert.ok(final.choices[0].message.tool_calls!.every((c) => /^call_/.test(c.id)));
  }
  fake.enqueue({ kind: 'chat_reply', scenario: 'tool_calls' });
  const one = await sdk().chat.completions.create(chat({ tools: TOOLS, parallel_tool_calls: false }));
  assert.equal(one.choices[0].message.tool_calls?.length, 1);
  fake.enqueue({ kind: 'chat_reply', scenario: 'tool_calls' });
  const none = await sdk().chat.completions.create(chat());
  const args = none.choices[0].message.tool_calls!.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments).city : null));
  assert.deepEqual(args, ['Paris', 'Rome']);
});

test('chat fragment orders on the wire: sequential, interleaved, all calls in one chunk', async () => {
  const order = async (toolCallStreaming: 'sequential' | 'interleaved' | 'single_chunk') => {
    fake.enqueue({
      kind: 'chat_reply',
      scenario: 'tool_calls',
      toolCallStreaming,
      toolCalls: [
        { name: 'a', arguments: { long: 'abcdefghijklmnop' } },
        { name: 'b', arguments: { k: 'vvvvvvvvvvvvvvvvv' } },
      ],
    });
    const events = parseSse(await (await post('/v1/chat/completions', { ...chat(), stream: true })).text());
    return events.flatMap((e) => (e.data?.choices?.[0]?.delta?.tool_calls ?? []).map((t: any) => `${t.index}${t.id ? 'H' : 'f'}`)).join(' ');
  };
  assert.match(await order('sequential'), /^0H (0f )+1H (1f )*1f$/);
  assert.match(await order('interleaved'), /^0H 1H 0f 1f 0f 1f/);
  assert.equal(await order('single_chunk'), '0H 1H');
});

test('chat length scenario and usage overrides', async () => {
  fake.enqueue({ kind: 'chat_reply', scenario: 'length', usage: { cached_tokens: 40, prompt_tokens: 100, cache_write_tokens: 5, reasoning_tokens: 2 } });
  const r = await sdk().chat.completions.create(chat({ max_tokens: 2 }));
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.choices[0].message.content, 'echo: Grüße');
  assert.equal(r.usage?.completion_tokens, 4, 'max_tokens + reasoning tokens');
  assert.equal(r.usage?.prompt_tokens, 100);
  assert.deepEqual(r.usage?.prompt_tokens_details, { cached_tokens: 40, audio_tokens: 0, cache_write_tokens: 5 });
  assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 2);
  assert.throws(() => fake.enqueue({ kind: 'chat_reply', usage: { prompt_tokens: 1, cached_tokens: 2 } }));
});

test('validation: model and messages required (400 with param), bad JSON; nothing consumed', async () => {
  fake.enqueue({ kind: 'error', status: 503 });
  const cases: Array<[unknown, string | null, RegExp]> = [
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', /model/],
    [{ model: 'gpt-4.1' }, 'messages', /messages/],
    [{ model: 'gpt-4.1', messages: [] }, 'messages', /empty array/],
    [{ model: 'gpt-4.1', messages: [{ content: 'x' }] }, 'messages[0].role', /role/],
    ['{nope', null, /parse the JSON/],
  ];
  for (const [body, param, message] of cases) {
    const res = await post('/v1/chat/completions', body);
    const j = (await res.json()) as any;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(j.error.type, 'invalid_request_error');
    assert.equal(j.error.param, param);
    assert.match(j.error.message, message);
  }
  await assert.rejects(sdk().responses.create({ input: 'x' } as never), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'model');
  assert.equal(fake.pendingBehaviours(), 1);
});

test('auth: OpenAI keys are sk- but not sk-ant-; 401 invalid_api_key; setApiKeys list applies to all kinds', async () => {
  await assert.rejects(sdk('sk-ant-api03-claude').chat.completions.create(chat()), (e: unknown) => {
    assert.ok(e instanceof OpenAI.AuthenticationError);
    assert.equal(e.code, 'invalid_api_key');
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, null);
    return true;
  });
  await assert.rejects(sdk('nope').responses.create({ model: 'gpt-5.5', input: 'x' }), OpenAI.AuthenticationError);
  const noAuth = await post('/v1/chat/completions', chat(), { 'content-type': 'application/json' });
  assert.equal(noAuth.status, 401);
  const anthropic = await post(
    '/v1/messages',
    { model: 'claude-sonnet-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
    { ...HEADERS, 'anthropic-version': '2023-06-01' },
  );
  assert.equal(anthropic.status, 401, 'an OpenAI key is no Anthropic key');
  fake.setApiKeys(['only-this']);
  await assert.rejects(sdk().chat.completions.create(chat()), OpenAI.AuthenticationError);
  assert.equal((await sdk('only-this').chat.completions.create(chat())).choices[0].message.content, `echo: ${USER}`);
});

test('responses non-stream: the Response object with echo, id and integer usage including cached tokens', async () => {
  fake.enqueue({ kind: 'responses_reply', usage: { cached_tokens: 30, input_tokens: 50 } });
  const r = await sdk().responses.create({
    model: 'gpt-5.5',
    instructions: 'Be brief.',
    input: [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'input_text', text: USER }] },
    ],
  });
  assert.match(r.id, /^resp_/);
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.equal(r.output_text, `echo: ${USER}`);
  assert.equal(r.instructions, 'Be brief.');
  assert.deepEqual(r.usage, {
    input_tokens: 50,
    input_tokens_details: { cached_tokens: 30 },
    output_tokens: countWords(`echo: ${USER}`),
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 50 + countWords(`echo: ${USER}`),
  });
  const plain = await sdk().responses.create({ model: 'gpt-5.5', input: 'just a string' });
  assert.equal(plain.output_text, 'echo: just a string');
  assert.equal(plain.usage?.input_tokens, countResponsesInputTokens({ input: 'just a string' }));
});

test('responses stream: the full 4.5.3 sequence with event lines and sequence numbers; SDK final = non-stream', async () => {
  const expected = await sdk().responses.create({ model: 'gpt-5.5', input: USER });
  const final = await sdk().responses.stream({ model: 'gpt-5.5', input: USER }).finalResponse();
  assert.equal(final.output_text, expected.output_text);
  assert.deepEqual(final.usage, expected.usage);
  assert.equal(final.status, 'completed');

  const res = await post('/v1/responses', { model: 'gpt-5.5', input: 'one two three four five six seven', stream: true });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const raw = await res.text();
  assert.ok(!raw.includes('[DONE]'));
  const events = parseSse(raw);
  assert.deepEqual(
    events.map((e) => e.event),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ],
  );
  events.forEach((e, i) => {
    assert.equal(e.data.type, e.event);
    assert.equal(e.data.sequence_number, i);
  });
  const done = events.at(-1)!.data.response;
  assert.match(done.id, /^resp_/);
  assert.equal(done.id, events[0].data.response.id);
  for (const k of ['input_tokens', 'output_tokens', 'total_tokens']) assert.ok(Number.isInteger(done.usage[k]), k);
  assert.equal(events[0].data.response.status, 'in_progress');
  assert.deepEqual(events[0].data.response.output, []);
  assert.equal(events[9].data.item.content[0].text, 'echo: one two three four five six seven');
});

test('function_call with a Codex body: custom/web_search/tool_search tools accepted, first function tool called', async () => {
  fake.enqueue({ kind: 'responses_reply', scenario: 'function_call' });
  const final = await sdk()
    .responses.stream(codexBody() as never)
    .finalResponse();
  const call = final.output[0];
  assert.equal(call.type, 'function_call');
  if (call.type !== 'function_call') return;
  assert.equal(call.name, 'exec_command');
  assert.deepEqual(JSON.parse(call.arguments), { cmd: 'x', timeout: 1 });
  assert.match(call.call_id, /^call_/);
  assert.match(call.id ?? '', /^fc_/);
  fake.enqueue({ kind: 'responses_reply', scenario: 'function_call', functionCall: { name: 'shell', arguments: '{"command":["ls"]}' } });
  const events = parseSse(await (await post('/v1/responses', { ...codexBody(), stream: true })).text());
  const deltas = events
    .filter((e) => e.event === 'response.function_call_arguments.delta')
    .map((e) => e.data.delta)
    .join('');
  assert.equal(deltas, '{"command":["ls"]}');
  assert.equal(events.filter((e) => e.event === 'response.output_item.done').length, 1);
  const text = await sdk().responses.create(codexBody({ stream: false }) as never);
  assert.equal(text.output_text, 'echo: fix foo.py');
});

test('reasoning: summary deltas with summary_index; encrypted_content only when included', async () => {
  fake.enqueue({ kind: 'responses_reply', scenario: 'reasoning' }, { times: 2 });
  const events = parseSse(await (await post('/v1/responses', { ...codexBody(), stream: true })).text());
  const deltas = events.filter((e) => e.event === 'response.reasoning_summary_text.delta');
  assert.ok(deltas.length > 1 && deltas.every((e) => e.data.summary_index === 0));
  const items = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item);
  assert.deepEqual(
    items.map((i) => i.type),
    ['reasoning', 'message'],
  );
  assert.match(items[0].encrypted_content, /^gAAAAA/);
  assert.equal(items[0].summary[0].text, deltas.map((e) => e.data.delta).join(''));
  const completed = events.at(-1)!.data.response;
  assert.ok(completed.usage.output_tokens_details.reasoning_tokens > 0);
  const plain = await sdk().responses.stream({ model: 'gpt-5.5', input: 'why' }).finalResponse();
  assert.equal(plain.output[0].type, 'reasoning');
  assert.equal(plain.output[0].encrypted_content, undefined);
});

test('responses/compact answers like responses and is recorded with its path', async () => {
  const r = await sdk().post<OpenAI.Responses.Response>('/responses/compact', { body: { model: 'gpt-5.5', input: 'compact me' } });
  assert.equal(r.output_text ?? (r.output[0] as any).content[0].text, 'echo: compact me');
  assert.equal(fake.requests.at(-1)?.path, '/v1/responses/compact');
});

test('GET /v1/models: OpenAI list shape for OpenAI clients, Anthropic shape with anthropic-version', async () => {
  const ids: string[] = [];
  for await (const m of sdk().models.list()) ids.push(m.id);
  assert.deepEqual(ids, [...OPENAI_MODELS]);
  const raw = (await (await fetch(`${fake.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as any;
  assert.equal(raw.object, 'list');
  assert.equal(raw.data[0].object, 'model');
  assert.equal(raw.data[0].owned_by, 'system');
  const claude = (await (await fetch(`${fake.url}/v1/models`, { headers: { 'x-api-key': 'sk-ant-x', 'anthropic-version': '2023-06-01' } })).json()) as any;
  assert.equal(claude.data[0].type, 'model');
  assert.equal(claude.has_more, false);
});
