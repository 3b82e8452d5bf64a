// End to end: the official OpenAI SDK's Chat Completions → the relay's /openai surface → converted to Anthropic
// Messages → the fake Anthropic upstream, and back. Usage is metered from the upstream's own numbers.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';

const ACCOUNT_KEY = 'sk-ant-api03-account-secret-CHAT';
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI chat on the Claude pool', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let sdk: OpenAI;

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay();
    await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY });
    key = await t.createKey({ name: 'chat' });
    sdk = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.key, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  test('non-streaming: system and user become Anthropic Messages; the answer, finish reason and usage come back in OpenAI’s shape', async () => {
    fake.enqueue({
      kind: 'reply',
      text: 'Bonjour',
      usage: { input_tokens: 11, output_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const r = await sdk.chat.completions.create({
      model: 'claude-sonnet-5',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello' },
      ],
      max_completion_tokens: 50,
      temperature: 1.7,
    });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'claude-sonnet-5');
    assert.equal(r.choices[0].message.content, 'Bonjour');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.usage?.prompt_tokens, 131, 'prompt tokens include cache reads and writes');
    assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 100);
    assert.equal(r.usage?.completion_tokens, 3);
    const up = fake.requests[0];
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.headers['x-api-key'], ACCOUNT_KEY);
    assert.equal(up.headers.authorization, undefined, 'the relay key never goes upstream');
    const sent = up.json as Record<string, unknown>;
    assert.equal(sent.system, 'Be terse.');
    assert.equal(sent.max_tokens, 50);
    assert.equal(sent.temperature, 1, 'temperature clamped to Anthropic’s range');
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'hello' }]);
    const [row] = await t.recorded(key.id);
    assert.equal(row.endpoint, '/v1/chat/completions');
    assert.deepEqual([row.usage?.input, row.usage?.output, row.usage?.cacheRead, row.usage?.cacheWrite5m], [11, 3, 100, 20]);
    assert.ok(row.costNanos > 0, 'priced from the bundled table');
  });

  test('streaming with include_usage: text deltas, a finish chunk, then one usage chunk with empty choices', async () => {
    fake.enqueue({ kind: 'reply', text: 'Hello there, 世界', usage: { input_tokens: 7, output_tokens: 5 } });
    const stream = await sdk.chat.completions.create({
      model: 'claude-haiku-4-5-20251001',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let roleSeen = false;
    for await (const c of stream) {
      if (c.choices[0]?.delta.role === 'assistant') roleSeen = true;
      text += c.choices[0]?.delta.content ?? '';
      if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
      if (c.usage) {
        assert.equal(c.choices.length, 0, 'usage arrives in its own chunk');
        usage = c.usage;
      }
    }
    assert.ok(roleSeen);
    assert.equal(text, 'Hello there, 世界');
    assert.deepEqual(finishes, ['stop']);
    assert.equal(usage?.prompt_tokens, 7);
    assert.equal(usage?.completion_tokens, 5);
    assert.equal((fake.requests[0].json as { stream?: boolean }).stream, true);
    const [row] = await t.recorded(key.id, 2);
    assert.equal(row.stream, true);
    assert.equal(row.usage?.output, 5);
  });

  test('tools: a tool call comes back as tool_calls; the tool result goes up as a tool_result in one user turn', async () => {
    fake.enqueue({ kind: 'reply', scenario: 'tool_use' });
    const first = await sdk.chat.completions.create({
      model: 'claude-sonnet-5',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [WEATHER],
      tool_choice: 'auto',
    });
    const call = first.choices[0].message.tool_calls?.[0];
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.doesNotThrow(() => JSON.parse(call.function.arguments));
    const sentTools = (fake.requests[0].json as { tools: { name: string; input_schema: unknown }[]; tool_choice: unknown }).tools;
    assert.equal(sentTools[0].name, 'get_weather');
    assert.deepEqual(sentTools[0].input_schema, WEATHER.function.parameters);
    assert.deepEqual((fake.requests[0].json as { tool_choice: unknown }).tool_choice, { type: 'auto' });

    await sdk.chat.completions.create({
      model: 'claude-sonnet-5',
      tools: [WEATHER],
      messages: [{ role: 'user', content: 'weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '18°C, sunny' }],
    });
    const msgs = (fake.requests[1].json as { messages: { role: string; content: { type: string; tool_use_id?: string; id?: string }[] }[] }).messages;
    assert.deepEqual(
      msgs.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.ok(msgs[1].content.some((b) => b.type === 'tool_use' && b.id === call.id));
    assert.equal(msgs[2].content[0].type, 'tool_result');
    assert.equal(msgs[2].content[0].tool_use_id, call.id);
  });

  test('an agent-sized tools array and system prompt reach the upstream whole on every turn (tools converted with the body, then cached, then from the cache)', async () => {
    // A system prompt long enough to go to the upstream as the client's own JSON literal: quotes, new lines, Unicode.
    const system = Array.from({ length: 40 }, (_, i) => `Rule ${i}: say "ok" — ünïcode ✓ 😀 \\ tab\there.\n`).join('');
    // 30 tools, ~9 KB: big enough for the relay's tools cache; a schema with a number only JSON keeps exactly.
    const many = Array.from({ length: 30 }, (_, i) => ({
      type: 'function' as const,
      function: {
        name: `tool_${i}`,
        description: `Tool ${i}: ${'does one careful thing. '.repeat(8)}`,
        parameters: { type: 'object', properties: { path: { type: 'string', maxLength: 4096 } }, required: ['path'] },
      },
    }));
    const expected = many.map((t) => ({ name: t.function.name, description: t.function.description, input_schema: t.function.parameters }));
    for (const [turn, content] of ['first turn', 'second turn, same tools', 'third turn, same tools'].entries()) {
      fake.enqueue({ kind: 'reply', text: 'ok' });
      const r = await sdk.chat.completions.create({
        model: 'claude-sonnet-5',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content },
        ],
        tools: many,
        tool_choice: 'required',
      });
      assert.equal(r.choices[0].message.content, 'ok');
      const sent = fake.requests[turn].json as { tools: unknown; tool_choice: unknown; messages: unknown; system: unknown };
      assert.deepEqual(sent.tools, expected, `turn ${turn + 1}`);
      assert.equal(sent.system, system);
      assert.deepEqual(sent.tool_choice, { type: 'any' });
      assert.deepEqual(sent.messages, [{ role: 'user', content }]);
    }
  });

  test('streamed tool calls: index 0 for the first call even after a text block', async () => {
    fake.enqueue({ kind: 'reply', scenario: 'tool_use' });
    const stream = await sdk.chat.completions.create({
      model: 'claude-sonnet-5',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [WEATHER],
      stream: true,
    });
    const calls = new Map<number, { name: string; args: string }>();
    let finish = '';
    for await (const c of stream) {
      for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
        const cur = calls.get(tc.index) ?? { name: '', args: '' };
        cur.name += tc.function?.name ?? '';
        cur.args += tc.function?.arguments ?? '';
        calls.set(tc.index, cur);
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual([...calls.keys()], [0]);
    assert.equal(calls.get(0)?.name, 'get_weather');
    assert.doesNotThrow(() => JSON.parse(calls.get(0)!.args));
    assert.equal(finish, 'tool_calls');
  });

  test('errors are OpenAI-shaped: a bad key is 401, a bad request 400 with its param, an upstream 429 keeps its retry-after', async () => {
    const bad = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: 'cr_' + '0'.repeat(64), maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'x' }] }),
      (e: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(e.status, 401);
        assert.equal(e.code, 'invalid_api_key');
        return true;
      },
    );
    await assert.rejects(sdk.chat.completions.create({ model: 'claude-sonnet-5', messages: [] }), (e: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(e.status, 400);
      assert.equal(e.type, 'invalid_request_error');
      assert.equal(e.param, 'messages');
      return true;
    });
    fake.enqueue({ kind: 'error', status: 400, message: 'max_tokens: too large' });
    await assert.rejects(
      sdk.chat.completions.create({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'x' }] }),
      (e: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(e.status, 400);
        assert.match(e.message, /max_tokens: too large/);
        return true;
      },
    );
  });

  test('the same route under /api and the forced-Claude mount /openai/claude', async () => {
    for (const base of [`${t.url}/api/v1`, `${t.url}/openai/claude/v1`]) {
      const c = new OpenAI({ baseURL: base, apiKey: key.key, maxRetries: 0 });
      const r = await c.chat.completions.create({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'ping' }] });
      assert.match(r.choices[0].message.content ?? '', /ping/);
    }
    const listed = await new OpenAI({ baseURL: `${t.url}/openai/claude/v1`, apiKey: key.key }).models.list();
    assert.ok(listed.data.length > 0 && listed.data.every((m) => m.id.startsWith('claude-')));
  });
});
