// The streaming state machine (§6.9, §6.10 #1, #5, #10, #14): fixtures replayed whole, byte by byte and in random
// slices; output reassembled the way an OpenAI client reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SseParser } from '../../platform/sse.js';
import { GeminiToChatStream, STREAM_CUT_MESSAGE } from './stream.js';

const CTX = { model: 'gemini-2.5-flash', id: 'chatcmpl-abc123', created: 1767000000 };
const fixture = (name: string): Uint8Array => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

function run(chunks: Uint8Array[], includeUsage: boolean): string {
  const s = new GeminiToChatStream({ ...CTX, includeUsage });
  let out = '';
  for (const c of chunks) out += s.push(c);
  out += s.end();
  assert.equal(s.ended, true);
  assert.equal(s.end(), '', 'a second end() writes nothing');
  return out;
}

function slices(bytes: Uint8Array, size: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, size());
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

const seeded = (seed: number, max: number) => () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % max) + 1;

interface Reassembled {
  content: string;
  reasoning: string;
  toolCalls: { index: number; id: string; name: string; arguments: string; signature?: string }[];
  finish: string | null;
  usage: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}

function reassemble(text: string, includeUsage: boolean): Reassembled {
  assert.ok(text.endsWith('data: [DONE]\n\n'), 'the stream ends with [DONE]');
  const events = new SseParser().push(text);
  const r: Reassembled = { content: '', reasoning: '', toolCalls: [], finish: null, usage: null, error: null };
  events.slice(0, -1).forEach((ev, i) => {
    const j = JSON.parse(ev.data);
    if (j.error) {
      assert.equal(i, events.length - 2, 'an error chunk is the last before [DONE]');
      r.error = j.error;
      return;
    }
    assert.deepEqual([j.id, j.object, j.created, j.model], [CTX.id, 'chat.completion.chunk', CTX.created, CTX.model]);
    assert.equal('usage' in j, includeUsage, 'usage key only with include_usage');
    if (j.choices.length === 0) {
      assert.ok(includeUsage && r.finish !== null, 'the usage chunk comes after the finish');
      r.usage = j.usage;
      return;
    }
    const { delta, finish_reason } = j.choices[0];
    if (i === 0) assert.deepEqual(delta, { role: 'assistant', content: '' }, 'the first chunk announces the role');
    if (finish_reason !== null) {
      assert.deepEqual(delta, {});
      r.finish = finish_reason;
    }
    r.content += delta.content ?? '';
    r.reasoning += delta.reasoning_content ?? '';
    for (const tc of delta.tool_calls ?? []) {
      assert.equal(tc.index, r.toolCalls.length, 'calls numbered 0, 1, … and sent whole');
      r.toolCalls.push({
        index: tc.index,
        id: tc.id,
        name: tc.function.name,
        arguments: tc.function.arguments,
        ...(tc.extra_content ? { signature: tc.extra_content.google.thought_signature } : {}),
      });
    }
  });
  return r;
}

const cases: { name: string; fixture: string; expect: Partial<Reassembled>; usage?: Record<string, unknown> }[] = [
  {
    name: 'CRLF-framed text deltas; last usageMetadata wins; cached tokens reported',
    fixture: 'text-crlf.sse',
    expect: { content: 'Zürich ✓ is sunny 😀.', reasoning: '', toolCalls: [], finish: 'stop', error: null },
    usage: {
      prompt_tokens: 120,
      completion_tokens: 6,
      total_tokens: 126,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  },
  {
    name: 'thought parts become reasoning_content; finish in a chunk without content',
    fixture: 'thinking.sse',
    expect: { content: 'Old pond, frog jumps in.', reasoning: 'The user wants a haiku.', finish: 'stop', error: null },
    usage: {
      prompt_tokens: 30,
      completion_tokens: 28,
      total_tokens: 58,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 21 },
    },
  },
  {
    name: 'parallel function calls in one chunk (one without args), signature kept, unknown parts ignored; STOP → tool_calls',
    fixture: 'tools-parallel.sse',
    expect: {
      content: 'Checking both.',
      toolCalls: [
        { index: 0, id: 'call_abc123_0', name: 'get_weather', arguments: '{"city":"Zürich"}', signature: 'SIG1' },
        { index: 1, id: 'call_abc123_1', name: 'get_time', arguments: '{}' },
      ],
      finish: 'tool_calls',
      error: null,
    },
    usage: {
      prompt_tokens: 85,
      completion_tokens: 12,
      total_tokens: 97,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  },
  {
    name: 'mid-stream error event: an error chunk, nothing after it, no finish',
    fixture: 'error-mid.sse',
    expect: { content: 'Half an ans', finish: null, usage: null, error: { message: 'The model is overloaded.', type: 'server_error', code: null } },
  },
  {
    name: 'a stream that ends without a finish reason ends in an error, never a fake finish',
    fixture: 'cut-no-finish.sse',
    expect: { content: 'Complete text', finish: null, usage: null, error: { message: STREAM_CUT_MESSAGE, type: 'server_error', code: null } },
  },
  { name: 'a blocked prompt (no candidates) → content_filter', fixture: 'blocked.sse', expect: { content: '', finish: 'content_filter', error: null } },
  { name: 'MAX_TOKENS → length', fixture: 'max-tokens.sse', expect: { content: 'cut short', finish: 'length', error: null } },
];

for (const c of cases) {
  for (const includeUsage of [true, false]) {
    test(`${c.name} (include_usage ${includeUsage})`, () => {
      const r = reassemble(run([fixture(c.fixture)], includeUsage), includeUsage);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(r[k as keyof Reassembled], v, k);
      if (c.usage) assert.deepEqual(r.usage, includeUsage ? c.usage : null);
    });
  }
  test(`${c.name}: identical output whole, byte by byte and in random slices`, () => {
    const bytes = fixture(c.fixture);
    const whole = run([bytes], true);
    assert.equal(
      run(
        slices(bytes, () => 1),
        true,
      ),
      whole,
      'byte by byte',
    );
    for (const seed of [1, 7, 42, 1234]) assert.equal(run(slices(bytes, seeded(seed, 23)), true), whole, `seed ${seed}`);
  });
}

test('an unreadable event ends the stream with an error chunk', () => {
  const out = run([new TextEncoder().encode('data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}\n\ndata: {not json\n\n')], false);
  const r = reassemble(out, false);
  assert.equal(r.content, 'a');
  assert.match(String(r.error?.message), /unreadable/);
});
