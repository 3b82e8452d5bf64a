// End to end: the official OpenAI SDK's Chat Completions with a `gemini-*` model → the relay converts it to Gemini
// generateContent → a Gemini account on the fake (gemini-api natively, gemini-oauth through Code Assist), and back:
// text, tools, stream with usage, cost recorded to the key.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createFakeUpstream, GEMINI_DEFAULT_SIGNATURE, type FakeUpstream } from './support/fake-upstream/index.js';
import { addGeminiOAuthAccount, geminiEnv } from './support/gemini.js';
import { startRelay, type TestRelay } from './support/harness.js';

const API_KEY = 'AIzaSyChatAccount-00000000';
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};

describe('OpenAI chat on the Gemini pool', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let sdk: OpenAI;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: geminiEnv(fake) });
    await t.addAccount(fake.url, { kind: 'gemini-api', name: 'gemini', apiKey: API_KEY });
    key = await t.createKey({ name: 'chat on gemini' });
    sdk = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.key, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  test('non-streaming: system → systemInstruction, roles mapped, usage in OpenAI’s shape, cost recorded', async () => {
    fake.enqueue({
      kind: 'gemini_reply',
      text: 'Bonjour',
      usage: { promptTokenCount: 500, cachedContentTokenCount: 400, candidatesTokenCount: 1, thoughtsTokenCount: 9 },
    });
    const r = await sdk.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'in French?' },
      ],
      max_completion_tokens: 50,
      temperature: 1.5,
    });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'gemini-2.5-flash');
    assert.equal(r.choices[0].message.content, 'Bonjour');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.deepEqual(
      [r.usage?.prompt_tokens, r.usage?.prompt_tokens_details?.cached_tokens, r.usage?.completion_tokens, r.usage?.completion_tokens_details?.reasoning_tokens],
      [500, 400, 10, 9],
    );
    const up = fake.requests[0];
    assert.equal(up.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(up.headers['x-goog-api-key'], API_KEY);
    assert.deepEqual(up.json.systemInstruction, { parts: [{ text: 'Be terse.' }] });
    assert.deepEqual(
      up.json.contents.map((c: any) => c.role),
      ['user', 'model', 'user'],
    );
    assert.deepEqual(up.json.generationConfig, { temperature: 1.5, maxOutputTokens: 50 });
    const [row] = await t.recorded(key.id);
    assert.equal(row.endpoint, '/v1/chat/completions');
    assert.deepEqual([row.usage?.input, row.usage?.cacheRead, row.usage?.output], [100, 400, 10]);
    assert.equal(row.costNanos, 100 * 300 + 400 * 30 + 10 * 2500);
  });

  test('streaming with include_usage: deltas, a finish chunk, one usage chunk with empty choices', async () => {
    fake.enqueue({ kind: 'gemini_reply', text: 'Hello there, 世界', usage: { promptTokenCount: 7 }, stream: { crlf: true } });
    const stream = await sdk.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
      if (c.usage) {
        assert.equal(c.choices.length, 0);
        usage = c.usage;
      }
    }
    assert.equal(text, 'Hello there, 世界');
    assert.deepEqual(finishes, ['stop']);
    assert.equal(usage?.prompt_tokens, 7);
    assert.equal(usage?.completion_tokens, 3);
    assert.deepEqual(fake.requests[0].query, { alt: 'sse' });
    assert.equal(fake.requests[0].path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    const [row] = await t.recorded(key.id, 2);
    assert.equal(row.stream, true);
    assert.deepEqual([row.usage?.input, row.usage?.output], [7, 3]);
  });

  test('tools: schema sanitised, a call comes back as tool_calls with its signature, the result goes up as functionResponse', async () => {
    fake.enqueue({ kind: 'gemini_reply', scenario: 'function_call' });
    const first = await sdk.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [WEATHER],
      tool_choice: 'auto',
    });
    const call = first.choices[0].message.tool_calls?.[0] as any;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'sample-city' });
    assert.equal(call.extra_content.google.thought_signature, GEMINI_DEFAULT_SIGNATURE);
    const sent = fake.requests[0].json;
    assert.deepEqual(sent.tools, [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
        ],
      },
    ]);
    assert.deepEqual(sent.toolConfig, { functionCallingConfig: { mode: 'AUTO' } });

    fake.gemini.requireThoughtSignatures = true;
    const second = await sdk.chat.completions.create({
      model: 'gemini-3-pro-preview',
      tools: [WEATHER],
      messages: [{ role: 'user', content: 'weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp":"18C"}' }],
    });
    fake.gemini.requireThoughtSignatures = false;
    assert.equal(second.choices[0].message.content, 'echo: weather in Paris?');
    const contents = fake.requests[1].json.contents;
    assert.deepEqual(
      contents.map((c: any) => c.role),
      ['user', 'model', 'user'],
    );
    assert.deepEqual(contents[1].parts, [{ functionCall: { name: 'get_weather', args: { city: 'sample-city' } }, thoughtSignature: GEMINI_DEFAULT_SIGNATURE }]);
    assert.deepEqual(contents[2].parts, [{ functionResponse: { name: 'get_weather', response: { temp: '18C' } } }]);
  });

  test('streamed parallel tool calls: indexes 0 and 1, whole arguments, finish tool_calls', async () => {
    fake.enqueue({
      kind: 'gemini_reply',
      scenario: 'function_call',
      functionCalls: [
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_time', args: {} },
      ],
    });
    const stream = await sdk.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'weather and time?' }],
      tools: [WEATHER, { type: 'function', function: { name: 'get_time' } }],
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
    assert.deepEqual(
      [...calls.entries()],
      [
        [0, { name: 'get_weather', args: '{"city":"Paris"}' }],
        [1, { name: 'get_time', args: '{}' }],
      ],
    );
    assert.equal(finish, 'tool_calls');
  });

  test('errors in OpenAI’s shape: an upstream 429 keeps its status; a request Gemini cannot take is a 400 with its param', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 5 });
    await assert.rejects(
      sdk.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }),
      (e: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(e.status, 429);
        assert.match(e.message, /exhausted/i);
        return true;
      },
    );
    await assert.rejects(
      sdk.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }),
      (e: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(e.status, 400);
        assert.match(e.message, /tool_call_id/);
        return true;
      },
    );
  });

  test('/openai/gemini/v1/chat/completions forces Gemini; a gemini-oauth account serves it through Code Assist', async () => {
    await addGeminiOAuthAccount(t, fake, { priority: 0 });
    const forced = new OpenAI({ baseURL: `${t.url}/openai/gemini/v1`, apiKey: key.key, maxRetries: 0 });
    const r = await forced.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'via code assist' }] });
    assert.equal(r.choices[0].message.content, 'echo: via code assist');
    const up = fake.requests.find((x) => x.path === '/v1internal:generateContent')!;
    assert.equal(up.json.project, 'fake-project-12345');
    const stream = await forced.chat.completions.create({
      model: 'gemini-2.5-pro',
      messages: [{ role: 'user', content: 'streamed via code assist' }],
      stream: true,
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.equal(text, 'echo: streamed via code assist');
    assert.ok(fake.requests.some((x) => x.path === '/v1internal:streamGenerateContent'));
  });
});
