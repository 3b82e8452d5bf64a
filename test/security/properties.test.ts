// Property-based tests (fast-check) of the code that parses what strangers send and what decides money:
// the SSE parser (any chunking, any line ending, gives the same events), the OpenAI-chat ↔ Anthropic translator
// (any chunking of a stream gives the same output; arbitrary JSON requests fail only with TranslateError), cost
// (non-negative, monotone, additive to the rounding of its lines) and admission (never admits past a cap, never
// holds more leases than the concurrency limit), the last against the real SQLite store through KeyGate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser, type SseEvent } from '../../src/platform/sse.js';
import {
  AnthropicToChatStream,
  chatToMessages,
  isTranslateError,
  messageToChatCompletion,
  anthropicErrorToChat,
} from '../../src/translate/openai-chat-to-anthropic/index.js';
import { computeCost, LONG_CONTEXT_THRESHOLD } from '../../src/accounting/cost.js';
import { loadPricing } from '../../src/accounting/pricing.js';
import { addUsage, type Usage } from '../../src/core/usage.js';
import { withKeyDefaults, type ApiKey } from '../../src/core/api-key.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { KeyGate } from '../../src/keys/key-gate.js';
import { silentLogger } from '../../src/platform/logger.js';
import { isRelayError } from '../../src/core/errors.js';

// Fixed seed per run unless FC_SEED is given, so a failure is repeatable; the seed is printed on failure.
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 1_000_000;
const runs = (n: number) => ({ numRuns: n, seed: SEED });

/** Cuts bytes at the given positions (sorted, deduplicated), so chunks may split UTF-8 characters and CRLF pairs. */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function parseChunks(chunks: (Uint8Array | string)[], opts?: ConstructorParameters<typeof SseParser>[0]): SseEvent[] {
  const p = new SseParser(opts);
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

// ---- SSE --------------------------------------------------------------------------------------------------------

const fieldText = fc
  .string({
    unit: fc.oneof(fc.constantFrom('a', 'ü', '€', '😀', ' ', ':', '{', '"'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 30,
  })
  .map((s) => s.replace(/[\r\n]/g, ''));
const sseEvent = fc.record({
  event: fc.option(fc.constantFrom('message_start', 'content_block_delta', 'ping', 'x'), { nil: undefined }),
  data: fc.array(fieldText, { minLength: 1, maxLength: 3 }),
  id: fc.option(fieldText, { nil: undefined }),
  comment: fc.option(fieldText, { nil: undefined }),
});
type GenEvent = typeof sseEvent extends fc.Arbitrary<infer T> ? T : never;

function serialise(events: GenEvent[], eol: string): string {
  return events
    .map((e) => {
      const lines: string[] = [];
      if (e.comment !== undefined) lines.push(`:${e.comment}`);
      if (e.event !== undefined) lines.push(`event: ${e.event}`);
      if (e.id !== undefined) lines.push(`id: ${e.id}`);
      for (const d of e.data) lines.push(`data: ${d}`);
      return lines.join(eol) + eol + eol;
    })
    .join('');
}

test('SSE: any chunking and any line ending give the events written, in order', () => {
  fc.assert(
    fc.property(fc.array(sseEvent, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 40 }), (events, eol, positions) => {
      const bytes = new TextEncoder().encode(serialise(events, eol));
      const got = parseChunks(cut(bytes, positions));
      const want = events.map((e) => ({ event: e.event ?? '', data: e.data.join('\n'), ...(e.id !== undefined ? { id: e.id } : {}) }));
      assert.deepEqual(got, want);
    }),
    runs(400),
  );
});

test('SSE: the fast path for wanted events gives exactly the full parse filtered (LF framing, any chunking)', () => {
  fc.assert(
    fc.property(fc.array(sseEvent, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }), (events, positions) => {
      const bytes = new TextEncoder().encode(serialise(events, '\n'));
      const wants = (e: string) => e === 'message_start' || e === 'x';
      const full = parseChunks([bytes]).filter((e) => wants(e.event));
      const fast = parseChunks(cut(bytes, positions), { wants }).filter((e) => wants(e.event));
      assert.deepEqual(fast, full);
    }),
    runs(300),
  );
});

test('SSE: arbitrary bytes never throw, and chunking never changes the result', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, positions) => {
      assert.deepEqual(parseChunks(cut(bytes, positions)), parseChunks([bytes]));
    }),
    runs(300),
  );
});

// ---- translator ---------------------------------------------------------------------------------------------------

const text = fc.string({
  unit: fc.oneof(fc.constantFrom('a', 'é', '中', '😀', '\n', '"', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 12,
});
const block = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), parts: fc.array(text, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('thinking' as const), parts: fc.array(text, { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('tool' as const),
    name: fc.constantFrom('get_weather', 'run'),
    args: fc.jsonValue({ maxDepth: 2 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
  }),
);

/** An Anthropic Messages stream with the given blocks, optionally cut short or ending in an error event. */
function anthropicStream(
  blocks: (typeof block extends fc.Arbitrary<infer T> ? T : never)[],
  end: 'stop' | 'cut' | 'error',
  usage: { in: number; out: number },
): string {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let s = ev('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      usage: { input_tokens: usage.in, output_tokens: 1 },
    },
  });
  blocks.forEach((b, index) => {
    if (b.kind === 'tool') {
      const json = JSON.stringify(b.args);
      s += ev('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: `toolu_${index}`, name: b.name, input: {} },
      });
      for (const piece of cut(new TextEncoder().encode(json), b.cuts).map((x) => new TextDecoder().decode(x))) {
        s += ev('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    } else {
      const t = b.kind === 'text' ? 'text' : 'thinking';
      s += ev('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: t === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' },
      });
      for (const p of b.parts)
        s += ev('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: t === 'text' ? { type: 'text_delta', text: p } : { type: 'thinking_delta', thinking: p },
        });
    }
    s += ev('content_block_stop', { type: 'content_block_stop', index });
  });
  if (end === 'error') return s + ev('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  s += ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.out } });
  return end === 'cut' ? s : s + ev('message_stop', { type: 'message_stop' });
}

test('translator: any chunking of an Anthropic stream gives the same OpenAI chat stream', () => {
  fc.assert(
    fc.property(
      fc.array(block, { maxLength: 4 }),
      fc.constantFrom<'stop' | 'cut' | 'error'>('stop', 'cut', 'error'),
      fc.record({ in: fc.nat(100_000), out: fc.nat(10_000) }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 60 }),
      (blocks, end, usage, includeUsage, positions) => {
        const bytes = new TextEncoder().encode(anthropicStream(blocks, end, usage));
        const run = (chunks: Uint8Array[]) => {
          const t = new AnthropicToChatStream({ model: 'claude-sonnet-4-5', id: 'chatcmpl-x', created: 1, includeUsage });
          let out = '';
          for (const c of chunks) out += t.push(c);
          return out + t.end();
        };
        const whole = run([bytes]);
        assert.equal(run(cut(bytes, positions)), whole);
        assert.ok(whole.endsWith('data: [DONE]\n\n'), 'every stream ends with [DONE]');
        // Text survives the trip whole (the client's reassembly equals the upstream's text).
        const content = parseChunks([whole])
          .filter((e) => e.data !== '[DONE]')
          .map((e) => JSON.parse(e.data))
          .map((j) => j.choices?.[0]?.delta?.content ?? '')
          .join('');
        assert.equal(
          content,
          blocks
            .filter((b) => b.kind === 'text')
            .flatMap((b) => (b.kind === 'text' ? b.parts : []))
            .join(''),
        );
      },
    ),
    runs(250),
  );
});

/** Arbitrary JSON objects shaped like chat requests (and not): real field names with arbitrary values. */
const anyValue = fc.jsonValue({ maxDepth: 3 });
const chatish = fc.record(
  {
    model: fc.oneof(fc.constant('claude-sonnet-4-5'), anyValue),
    messages: fc.oneof(
      fc.array(
        fc.record(
          {
            role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function'), anyValue),
            content: fc.oneof(
              text,
              anyValue,
              fc.array(
                fc.record(
                  { type: fc.oneof(fc.constantFrom('text', 'image_url', 'input_audio', 'file'), anyValue), text: anyValue, image_url: anyValue },
                  { requiredKeys: [] },
                ),
              ),
            ),
            tool_calls: anyValue,
            tool_call_id: anyValue,
            name: anyValue,
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      anyValue,
    ),
    max_tokens: anyValue,
    max_completion_tokens: anyValue,
    temperature: anyValue,
    top_p: anyValue,
    stop: anyValue,
    stream: anyValue,
    stream_options: anyValue,
    tools: fc.oneof(
      fc.array(
        fc.record(
          { type: anyValue, function: fc.record({ name: anyValue, description: anyValue, parameters: anyValue }, { requiredKeys: [] }) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      anyValue,
    ),
    tool_choice: anyValue,
    reasoning_effort: anyValue,
    n: anyValue,
    user: anyValue,
    response_format: anyValue,
    parallel_tool_calls: anyValue,
  },
  { requiredKeys: [] },
);

test('translator: request conversion of arbitrary JSON either succeeds or throws TranslateError, nothing else', () => {
  fc.assert(
    fc.property(fc.oneof(chatish, fc.dictionary(fc.string({ maxLength: 8 }), anyValue)), (body) => {
      try {
        const r = chatToMessages(body);
        assert.equal(typeof r.request, 'object');
        JSON.stringify(r.request); // serialisable
      } catch (e) {
        if (!isTranslateError(e))
          throw new Error(`chatToMessages threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(body).slice(0, 300)}`);
      }
    }),
    runs(1500),
  );
});

test('translator: answers and errors of any shape convert without throwing', () => {
  fc.assert(
    fc.property(anyValue, fc.integer({ min: 400, max: 599 }), (body, status) => {
      const e = anthropicErrorToChat(status, body);
      assert.ok(e.status >= 400 && typeof e.body.error.message === 'string');
      try {
        messageToChatCompletion(body, { model: 'claude-sonnet-4-5', id: 'chatcmpl-x', created: 1 });
      } catch (err) {
        if (!isTranslateError(err)) throw err;
      }
    }),
    runs(500),
  );
});

// ---- cost ---------------------------------------------------------------------------------------------------------

const pricing = loadPricing({ file: null });
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-sonnet-4', 'gpt-5', 'gemini-2.5-pro'].filter((m) => pricing.lookup(m));
const tokens = fc.nat(300_000);
const usage: fc.Arbitrary<Usage> = fc
  .record({ input: tokens, output: fc.nat(64_000), cacheWrite5m: tokens, cacheWrite1h: tokens, cacheRead: tokens })
  .map((u) => ({ ...u }));
const prompt = (u: Usage) => u.input + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;

test('cost: never negative, an exact integer, zero for zero usage, and monotone in every token type', () => {
  assert.ok(MODELS.length >= 3, `priced models: ${MODELS.join(',')}`);
  fc.assert(
    fc.property(
      fc.constantFrom(...MODELS),
      usage,
      fc.constantFrom<keyof Usage>('input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'),
      fc.nat(1000),
      (model, u, field, more) => {
        const price = pricing.lookup(model)!.price;
        const c = computeCost(u, price);
        assert.ok(Number.isSafeInteger(c.costNanos) && c.costNanos >= 0);
        assert.equal(
          c.costNanos,
          c.lines.reduce((s, l) => s + l.costNanos, 0),
        );
        const bigger = { ...u, [field]: u[field] + more };
        // Within one pricing level (the long-context switch raises every price, so it only adds).
        assert.ok(computeCost(bigger, price).costNanos >= c.costNanos);
      },
    ),
    runs(1000),
  );
  for (const m of MODELS)
    assert.equal(computeCost({ input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, pricing.lookup(m)!.price).costNanos, 0);
});

test('cost: each line is the exact price × tokens rounded to the nearest nano-USD (a BigInt reference)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MODELS), usage, (model, u) => {
      const price = pricing.lookup(model)!.price;
      const c = computeCost(u, price);
      const level = c.longContext ? price.above200k! : price;
      for (const line of c.lines) {
        // nano-USD per million tokens is an exact integer; nanos = tokens × that / 1e6, rounded half up.
        const perMTok = BigInt(Math.round(level[line.tokenType] * 1e15));
        const num = BigInt(line.tokens) * perMTok;
        const exact = (num + 500_000n) / 1_000_000n;
        assert.equal(BigInt(line.costNanos), exact, `${model} ${line.tokenType} × ${line.tokens}`);
      }
      assert.equal(c.longContext, price.above200k !== undefined && prompt(u) > LONG_CONTEXT_THRESHOLD);
    }),
    runs(1000),
  );
});

test('cost: additive — two requests cost what their sum costs, to one nano-USD per token type (same price level)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MODELS), usage, usage, (model, a, b) => {
      const price = pricing.lookup(model)!.price;
      const sum = addUsage(a, b);
      const long = (u: Usage) => price.above200k !== undefined && prompt(u) > LONG_CONTEXT_THRESHOLD;
      fc.pre(long(a) === long(sum) && long(b) === long(sum));
      const diff = computeCost(sum, price).costNanos - computeCost(a, price).costNanos - computeCost(b, price).costNanos;
      assert.ok(Math.abs(diff) <= 5, `cost(a+b) − cost(a) − cost(b) = ${diff} nano-USD`);
    }),
    runs(1000),
  );
});

// ---- admission ----------------------------------------------------------------------------------------------------

type Op = { kind: 'admit' } | { kind: 'finish'; which: number; costNanos: number } | { kind: 'tick'; ms: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'admit' }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), which: fc.nat(), costNanos: fc.nat(1_200_000_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.nat(5_000) }) },
);

test('admission (SQLite store, through KeyGate): never past the daily/total cost cap, never more leases than the limit', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ concurrency: fc.integer({ min: 0, max: 4 }), dailyUsd: fc.constantFrom(0, 0.5, 1, 2.5), totalUsd: fc.constantFrom(0, 1, 3) }),
      fc.array(op, { minLength: 4, maxLength: 40 }),
      async (caps, ops) => {
        const store = new SqliteStore({ file: ':memory:', pollMs: 0 });
        let now = Date.UTC(2026, 5, 1, 4); // fixed, far from a day boundary in UTC+8
        const clock = { now: () => now };
        const gate = new KeyGate(store, clock, silentLogger(), { timezoneOffsetHours: 8 });
        const key = withKeyDefaults({
          id: 'k1',
          limits: { concurrencyLimit: caps.concurrency, dailyCostLimit: caps.dailyUsd, totalCostLimit: caps.totalUsd },
        } as unknown as ApiKey);
        const held: { release(): void }[] = [];
        let settled = 0;
        try {
          for (const o of ops) {
            if (o.kind === 'tick') now += o.ms;
            else if (o.kind === 'admit') {
              try {
                const a = await gate.admit(key, { service: 'claude', model: 'claude-sonnet-4-5', client: null });
                // Admitted: every cap had room before this request (costs settle after the answer).
                if (caps.dailyUsd > 0) assert.ok(settled < caps.dailyUsd * 1e9, `admitted with ${settled} settled, daily cap ${caps.dailyUsd}`);
                if (caps.totalUsd > 0) assert.ok(settled < caps.totalUsd * 1e9, `admitted with ${settled} settled, total cap ${caps.totalUsd}`);
                held.push(a);
                if (caps.concurrency > 0) assert.ok(held.length <= caps.concurrency, `${held.length} held, limit ${caps.concurrency}`);
              } catch (e) {
                assert.ok(isRelayError(e) && [429, 402].includes(e.status), `refusals are 429/402: ${(e as Error).message}`);
                const capReached = (caps.dailyUsd > 0 && settled >= caps.dailyUsd * 1e9) || (caps.totalUsd > 0 && settled >= caps.totalUsd * 1e9);
                const full = caps.concurrency > 0 && held.length >= caps.concurrency;
                assert.ok(capReached || full, `refused without reason (${e.code}; settled ${settled}, held ${held.length})`);
              }
            } else if (held.length > 0) {
              const [a] = held.splice(o.which % held.length, 1);
              a.release();
              await store.limits.settle([{ keyId: key.id, at: now, tokens: 10, costNanos: o.costNanos, dailyLabel: '2026-06-01', weeklyLabel: null }]);
              settled += o.costNanos;
            }
          }
        } finally {
          for (const a of held) a.release();
          await store.close();
        }
      },
    ),
    runs(200),
  );
});
