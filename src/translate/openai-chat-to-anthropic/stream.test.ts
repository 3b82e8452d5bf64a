// The streaming state machine (§6.3): fixtures replayed whole, byte by byte and in random slices; output reassembled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SseParser } from '../../platform/sse.js';
import { AnthropicToChatStream, STREAM_CUT_MESSAGE, textDeltaLiteral } from './stream.js';

const CTX = { model: 'claude-sonnet-4-5', id: 'chatcmpl-test', created: 1767000000 };

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Runs the translator over the given chunks and returns everything it wrote. */
function run(chunks: Uint8Array[], includeUsage: boolean): string {
  const s = new AnthropicToChatStream({ ...CTX, includeUsage });
  let out = '';
  for (const c of chunks) out += s.push(c);
  out += s.end();
  assert.equal(s.finished, true, 'the stream must be finished after end()');
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

function seeded(seed: number, max: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % max) + 1;
}

interface Reassembled {
  roleFirst: boolean;
  content: string;
  reasoning: string;
  toolCalls: { index: number; id: string; name: string; arguments: string }[];
  finish: string | null;
  usage: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}

/** Parses the OpenAI SSE a client would read, checking the framing rules of §4.3 on the way. */
function reassemble(text: string, includeUsage: boolean): Reassembled {
  const events = new SseParser().push(text);
  assert.ok(text.endsWith('data: [DONE]\n\n'), 'the stream ends with [DONE]');
  assert.equal(events.filter((e) => e.data === '[DONE]').length, 1, 'exactly one [DONE]');
  const r: Reassembled = { roleFirst: false, content: '', reasoning: '', toolCalls: [], finish: null, usage: null, error: null };
  events.slice(0, -1).forEach((ev, i) => {
    assert.equal(ev.event, '', 'no event: lines in OpenAI SSE');
    const j = JSON.parse(ev.data);
    if (j.error) {
      assert.equal(i, events.length - 2, 'an error chunk is the last before [DONE]');
      r.error = j.error;
      return;
    }
    assert.equal(r.usage, null, 'nothing follows the usage chunk');
    assert.deepEqual([j.id, j.object, j.created, j.model], [CTX.id, 'chat.completion.chunk', CTX.created, CTX.model]);
    if (includeUsage) assert.ok('usage' in j, 'with include_usage every chunk carries usage');
    else assert.ok(!('usage' in j), 'without include_usage no chunk carries usage');
    if (j.choices.length === 0) {
      assert.ok(includeUsage && r.finish !== null, 'the usage chunk comes only with include_usage, after the finish');
      r.usage = j.usage;
      return;
    }
    if (includeUsage) assert.equal(j.usage, null);
    assert.equal(r.finish, null, 'no choice chunk after the finish chunk');
    const { delta, finish_reason } = j.choices[0];
    if (i === 0) r.roleFirst = delta.role === 'assistant' && delta.content === '';
    else assert.equal(delta.role, undefined, 'only the first chunk carries the role');
    if (finish_reason !== null) {
      assert.deepEqual(delta, {});
      r.finish = finish_reason;
    }
    if (typeof delta.content === 'string') r.content += delta.content;
    if (typeof delta.reasoning_content === 'string') r.reasoning += delta.reasoning_content;
    for (const tc of delta.tool_calls ?? []) {
      if (tc.id !== undefined) {
        assert.equal(tc.index, r.toolCalls.length, 'tool call indexes are 0, 1, 2… in order of appearance');
        assert.equal(tc.type, 'function');
        r.toolCalls.push({ index: tc.index, id: tc.id, name: tc.function.name, arguments: tc.function.arguments });
      } else {
        const call = r.toolCalls[tc.index];
        assert.ok(call, `arguments for unknown tool call index ${tc.index}`);
        assert.notEqual(tc.function.arguments, '', 'empty argument fragments are skipped');
        call.arguments += tc.function.arguments;
      }
    }
  });
  return r;
}

interface Case {
  name: string;
  fixture: string;
  expect: Partial<Reassembled>;
  /** Usage expected in the trailing chunk when include_usage is on. */
  usage?: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'text then parallel tool calls (one without arguments), cache tokens in usage',
    fixture: 'tools-parallel.sse',
    expect: {
      roleFirst: true,
      content: 'Checking Zürich ✓ and the time 😀.',
      reasoning: '',
      toolCalls: [
        { index: 0, id: 'toolu_01B', name: 'get_weather', arguments: '{"city": "Zürich"}' },
        { index: 1, id: 'toolu_01C', name: 'get_time', arguments: '{}' },
      ],
      finish: 'tool_calls',
      error: null,
    },
    usage: {
      prompt_tokens: 377 + 1000 + 2048,
      completion_tokens: 65,
      total_tokens: 377 + 1000 + 2048 + 65,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 2048 },
    },
  },
  {
    name: 'thinking becomes reasoning_content, redacted thinking is dropped, message_delta usage overwrites',
    fixture: 'thinking.sse',
    expect: { content: 'Old pond, frog jumps in.', reasoning: 'User wants a haiku.', toolCalls: [], finish: 'stop', error: null },
    usage: {
      prompt_tokens: 30,
      completion_tokens: 42,
      total_tokens: 72,
      prompt_tokens_details: { cached_tokens: 5, cache_write_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 30 },
    },
  },
  {
    name: 'mid-stream error: error chunk, nothing after it, no finish',
    fixture: 'error-mid.sse',
    expect: {
      content: 'Half an ans',
      finish: null,
      usage: null,
      error: { message: 'Overloaded', type: 'server_error', code: null },
    },
  },
  {
    name: 'stream cut inside a tool call: error chunk, no fake finish',
    fixture: 'cut-mid-tool.sse',
    expect: {
      toolCalls: [{ index: 0, id: 'toolu_09', name: 'search', arguments: '{"q": "ca' }],
      finish: null,
      usage: null,
      error: { message: STREAM_CUT_MESSAGE, type: 'server_error', code: null },
    },
  },
  {
    name: 'stream cut after message_delta but before message_stop: still an error',
    fixture: 'cut-after-delta.sse',
    expect: { content: 'Complete text', finish: null, usage: null, error: { message: STREAM_CUT_MESSAGE, type: 'server_error', code: null } },
  },
  {
    name: 'unknown events, unknown deltas and server-tool blocks are ignored; stop_sequence → stop',
    fixture: 'unknown-events.sse',
    expect: { roleFirst: true, content: 'Found it.', toolCalls: [], finish: 'stop', error: null },
  },
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

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** A minimal stream with one text block and the given stop reason. */
function simple(stopReason: string | null): Uint8Array {
  return new TextEncoder().encode(
    event('message_start', { type: 'message_start', message: { usage: { input_tokens: 1, output_tokens: 1 } } }) +
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }) +
      event('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 2 } }) +
      event('message_stop', { type: 'message_stop' }),
  );
}

const finishCases: [string | null, string][] = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
  ['something_new', 'stop'],
  [null, 'stop'],
];
for (const [stop, finish] of finishCases) {
  test(`stream stop_reason ${stop} → finish_reason ${finish}`, () => {
    const r = reassemble(run([simple(stop)], true), true);
    assert.equal(r.finish, finish);
    assert.equal(r.content, 'x');
    assert.deepEqual(r.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } });
  });
}

test('an empty upstream body is a cut stream', () => {
  const r = reassemble(run([], false), false);
  assert.equal(r.error?.message, STREAM_CUT_MESSAGE);
  assert.equal(r.content, '');
});

test('a known event with unreadable data ends the stream with an error', () => {
  const bytes = new TextEncoder().encode('event: content_block_delta\ndata: {"type":"content_block_de\n\n');
  const r = reassemble(run([bytes], false), false);
  assert.match(String(r.error?.message), /unreadable content_block_delta/);
});

test('nothing is written after [DONE], even if the upstream keeps sending', () => {
  const s = new AnthropicToChatStream({ ...CTX, includeUsage: false });
  const first = s.push(simple('end_turn'));
  assert.ok(first.endsWith('data: [DONE]\n\n'));
  assert.equal(s.finished, true);
  assert.equal(s.push(simple('end_turn')), '');
  assert.equal(s.end(), '');
});

test('the role chunk comes first even when the upstream skips message_start', () => {
  const bytes = new TextEncoder().encode(
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }) +
      event('message_stop', { type: 'message_stop' }),
  );
  const r = reassemble(run([bytes], false), false);
  assert.equal(r.roleFirst, true);
  assert.equal(r.content, 'hi');
});

test('a mid-stream error of an unknown type falls back to server_error with its message', () => {
  const bytes = new TextEncoder().encode(event('error', { type: 'error', error: { type: 'brand_new_error', message: 'boom' } }));
  assert.deepEqual(reassemble(run([bytes], true), true).error, { message: 'boom', type: 'server_error', code: null });
});

test('a text delta in the API form keeps its JSON literal; anything else is left to the general path', () => {
  const form = (text: string, index = 0) => JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
  for (const text of ['hi', '', 'a "quoted" \\ back\nslash\t\u0001', 'caf\u00e9 \u2028 😀'])
    assert.equal(textDeltaLiteral(form(text, 12)), JSON.stringify(text));
  const literal = (raw: string) => `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${raw}}}`;
  assert.equal(textDeltaLiteral(literal('"\\u00e9\\/"')), '"\\u00e9\\/"', 'escapes JSON.stringify would not write are still JSON');
  for (const bad of ['"a\\x"', '"a\\u00g1"', '"a\\"', '"a"b"', '"tab\there"', 'null', '"a\\u00e"']) assert.equal(textDeltaLiteral(literal(bad)), null, bad);
  assert.equal(textDeltaLiteral('{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"hi"}}'), null, 'another key order');
  assert.equal(textDeltaLiteral('{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}'), null);
  assert.equal(textDeltaLiteral('{"type":"content_block_delta","index":,"delta":{"type":"text_delta","text":"hi"}}'), null);
  // A long delta (a pasted file) is read in one pass, well-formed or not (compared with ok: a failure would print it).
  const long = 'line "one"\n\u00e9 '.repeat(10_000);
  assert.ok(textDeltaLiteral(form(long)) === JSON.stringify(long), 'a 170 K delta keeps its literal');
  assert.equal(textDeltaLiteral(literal(`"${'x'.repeat(100_000)}\\q"`)), null);
});

test('a text delta too long for the literal path (10 MB) is converted by the general path', () => {
  const text = 'ab'.repeat(5_000_000);
  const bytes = new TextEncoder().encode(
    event('message_start', {
      type: 'message_start',
      message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 1, output_tokens: 1 } },
    }) +
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }) +
      event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }) +
      event('message_stop', { type: 'message_stop' }),
  );
  assert.equal(textDeltaLiteral(JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })), null);
  const r = reassemble(run([bytes], false), false);
  assert.ok(r.content === text, 'the whole text arrives');
  assert.equal(r.finish, 'stop');
});

test('text deltas read by literal and by parse give the same answer; a malformed literal still ends in an error', () => {
  const texts = ['Hello, ', 'a "quoted" \\ word\n', 'caf\u00e9 😀', ''];
  const apiForm = texts.map((text) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
  const otherForm = texts.map((text) => event('content_block_delta', { index: 0, delta: { text, type: 'text_delta' }, type: 'content_block_delta' }));
  const stop = event('message_stop', { type: 'message_stop' });
  const a = reassemble(run([new TextEncoder().encode(apiForm.join('') + stop)], false), false);
  const b = reassemble(run([new TextEncoder().encode(otherForm.join('') + stop)], false), false);
  assert.equal(a.content, texts.join(''));
  assert.deepEqual(a, b);
  const bad = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\x"}}\n\n';
  assert.match(String(reassemble(run([new TextEncoder().encode(bad)], false), false).error?.message), /unreadable content_block_delta/);
});
